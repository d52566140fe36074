/**
 * The Azure target: host h of the scenario is the VM `cotwin-<deployment>-h<h>` (with its NIC,
 * public IP and OS disk) in one resource group. Starting a host creates its VM (or starts it when
 * deallocated), stopping it deallocates it (compute billing stops, the disk stays), teardown
 * deletes everything tagged for the deployment.
 *
 * Safety, in the order things can go wrong (see the README's "Running against Azure"):
 * - every mutating call is announced in the journal (fsync'ed) first; a restart reconciles the
 *   intents that have no outcome by looking the resource up by its deterministic name;
 * - creates carry If-None-Match: *, and names are deterministic: no second VM for a host;
 * - a resource without this deployment's tags is never modified or deleted;
 * - a create that fails on size (SkuNotAvailable, allocation, quota) falls back to the next size
 *   that fits, and says so; a create reported failed or never finished is re-checked before
 *   anything is cleaned up: a VM that became healthy is adopted and accounted for;
 * - garbage collection deletes (or adopts) tagged VMs the journal does not know and tagged NICs,
 *   IPs and disks left without a VM, after a grace period (eventual consistency, a create in
 *   flight in another session);
 * - the workers admit the controller only (network security group) and the token only.
 */
import type { RandomStream } from "../../simulator/engine/random.ts";
import { HOST_SIZES } from "../../simulator/catalogue/host-sizes.ts";
import type { TwinModel } from "../../simulator/model.ts";
import type { TimeAxis } from "../clock.ts";
import { runRequest } from "../dispatch.ts";
import type { HostSlot } from "../hosts.ts";
import type { IntentRecord, Journal, ResourceKind } from "../journal.ts";
import { DEFAULT_RETRY, RetriesExhausted, type RetrySettings } from "../retry.ts";
import type { ActionOutcome, DispatchRequest, HostPhase, ObservedHost, RunningHost, Target, TargetError, TargetEvent, TargetObservation, TargetPlan, MeasuredRequest } from "../types.ts";
import { WorkerClient, type WorkerAddress } from "../worker-client.ts";
import type { ArmClients } from "./arm.ts";
import { armError, type ArmErrorInfo } from "./errors.ts";
import { createdAt, isOurs, names, type Names } from "./naming.ts";
import { ArmResources, NotOursError, type Counter } from "./resources.ts";
import { candidateSizes, UnavailableSizes } from "./sizes.ts";
import { throwawayPublicKey } from "./ssh-key.ts";

export interface AzureTargetOptions {
  arm: ArmClients;
  resourceGroup: string;
  location: string;
  deployment: string;
  slots: HostSlot[];
  model: TwinModel;
  token: string;
  axis: TimeAxis;
  journal: Journal;
  rng: RandomStream;
  /** the controller's public address (the only source the NSG admits to the workers) */
  controllerAddress: string;
  /** open SSH from this CIDR (default: closed) */
  sshFrom?: string;
  sshPublicKey?: string;
  extraTags?: Record<string, string>;
  workerPort?: number;
  /** cloud-init user data (base64) for host h */
  customData(host: number, vcpus: number): string;
  /** where host h's worker answers, given its public IP (default ip:workerPort) */
  workerAddress?(host: number, ip: string): WorkerAddress;
  retry?: RetrySettings;
  /** poll interval of long-running operations, ms */
  pollMs?: number;
  /** give up waiting for a create's long-running operation after this long, ms */
  provisionTimeoutMs?: number;
  /** keep checking a create reported failed (or given up on) this long before cleaning up, ms */
  recheckMs?: number;
  recheckEveryMs?: number;
  /** garbage collection leaves resources younger than this alone, ms */
  gcGraceMs?: number;
  gcEveryMs?: number;
  /** Azure Resource Manager is read (VM list, power states) at most this often, ms */
  armObserveEveryMs?: number;
  /** a started VM's worker must answer within this long, ms */
  workerReadyTimeoutMs?: number;
  /** a stop waits this long for the host's requests to end before deallocating, ms */
  drainMs?: number;
  maxUsdPerHour?: number;
  fragmentTimeoutMs?: number;
}

interface AzHost {
  slot: HostSlot;
  phase: HostPhase;
  size: string;
  price: number;
  ip?: string;
  vmId?: string;
  op?: Promise<void>;
  queued?: "start" | "stop";
  billing: boolean;
  billedUntil: number;
  billedS: number;
  lastCpuS?: number;
  /** ARM part of a start done; the worker has not answered yet */
  awaiting?: { t0: number; retries: number };
  inFlight: number;
  metricFailures: number;
}

class ActionFailure extends Error {
  constructor(readonly info: TargetError) {
    super(`${info.code}: ${info.message}`);
    this.name = "ActionFailure";
  }
}

function priceOf(size: string, fallback: number): number {
  return HOST_SIZES[size]?.pricePerHour ?? fallback;
}

export interface TeardownReport {
  deleted: string[];
  left: Array<{ name: string; reason: string }>;
}

export interface StatusRow {
  kind: ResourceKind;
  name: string;
  host?: number;
  size?: string;
  state?: string;
  pricePerHour: number;
}

export class AzureTarget implements Target {
  readonly kind = "azure";
  readonly res: ArmResources;
  private readonly n: Names;
  private readonly hosts: AzHost[];
  private readonly client: WorkerClient;
  private readonly unavailable: UnavailableSizes;
  private readonly sshKey: string;
  private outcomes: ActionOutcome[] = [];
  private events: TargetEvent[] = [];
  private finished: MeasuredRequest[] = [];
  private readonly pending = new Set<Promise<void>>();
  private shared?: Promise<{ subnetId: string }>;
  private lastArm = -Infinity;
  private lastGc = -Infinity;
  private listing?: Awaited<ReturnType<ArmResources["listOurs"]>>;
  private readonly o: Required<Pick<AzureTargetOptions, "workerPort" | "pollMs" | "provisionTimeoutMs" | "recheckMs" | "recheckEveryMs" | "gcGraceMs" | "gcEveryMs" | "armObserveEveryMs" | "workerReadyTimeoutMs" | "drainMs" | "fragmentTimeoutMs">> & AzureTargetOptions;

  constructor(opts: AzureTargetOptions) {
    this.o = {
      workerPort: 8790,
      pollMs: 5000,
      provisionTimeoutMs: 20 * 60_000,
      recheckMs: 10 * 60_000,
      recheckEveryMs: 30_000,
      gcGraceMs: 10 * 60_000,
      gcEveryMs: 60_000,
      armObserveEveryMs: 30_000,
      workerReadyTimeoutMs: 20 * 60_000,
      drainMs: 60_000,
      fragmentTimeoutMs: 120_000,
      ...opts,
    };
    this.n = names(opts.deployment);
    this.res = new ArmResources(opts.arm, {
      resourceGroup: opts.resourceGroup,
      location: opts.location,
      deployment: opts.deployment,
      names: this.n,
      extraTags: opts.extraTags ?? {},
      retry: opts.retry ?? DEFAULT_RETRY,
      rng: opts.rng,
      clock: opts.axis.clock,
      pollMs: this.o.pollMs,
    });
    this.client = new WorkerClient(opts.token);
    this.unavailable = new UnavailableSizes(() => opts.axis.clock.now());
    this.sshKey = opts.sshPublicKey ?? throwawayPublicKey();
    this.hosts = opts.slots.map((slot) => ({ slot, phase: "off", size: slot.size, price: slot.pricePerHour, billing: false, billedUntil: 0, billedS: 0, inFlight: 0, metricFailures: 0 }));
  }

  private get now(): number {
    return this.o.axis.clock.now();
  }

  private event(kind: TargetEvent["kind"], message: string, host?: number): void {
    this.events.push({ kind, host, message });
  }

  // ---------------------------------------------------------------- billing

  private bill(h: AzHost, on: boolean): void {
    const t = this.now;
    if (h.billing) h.billedS += Math.max(0, t - h.billedUntil) / 1000;
    h.billedUntil = t;
    h.billing = on;
  }

  // ---------------------------------------------------------------- open: reconcile, adopt, collect, start

  async open(initialOn: number[]): Promise<void> {
    const count: Counter = { retries: 0 };
    await this.reconcile(count);
    await this.refreshArm(count, true);
    await this.collect(count);
    for (const h of initialOn) this.enqueue(h, "start");
    const deadline = this.now + this.o.workerReadyTimeoutMs + this.o.provisionTimeoutMs;
    for (;;) {
      await this.checkWorkers();
      const waiting = initialOn.filter((h) => this.hosts[h].phase !== "on" && (this.hosts[h].op || this.hosts[h].awaiting));
      if (waiting.length === 0) break;
      if (this.now > deadline) break;
      await this.o.axis.clock.sleep(Math.min(2000, Math.max(10, this.o.armObserveEveryMs)));
    }
    const failed = initialOn.filter((h) => this.hosts[h].phase !== "on");
    if (failed.length > 0) {
      const why = this.outcomes.find((o) => o.host === failed[0] && o.error)?.error;
      throw new ActionFailure({
        code: why?.code ?? "HostNotReady",
        message: `host ${failed[0]} (${this.n.vm(failed[0])}) did not come up${why ? `: ${why.message}` : ""}`,
        hint: why?.hint ?? "see `cotwin deploy status`; `cotwin deploy teardown` removes what was created",
      });
    }
  }

  /** Intents left without an outcome by a previous session: look each resource up and record what is there. */
  private async reconcile(count: Counter): Promise<void> {
    const j = this.o.journal;
    for (const i of j.open()) {
      let exists: { ours: boolean; state?: string; size?: string } | undefined;
      try {
        if (i.resource === "vm") {
          const vm = await this.res.getVm(i.name, count);
          exists = vm ? { ours: isOurs(vm.tags, this.o.deployment), state: vm.provisioningState, size: vm.hardwareProfile?.vmSize } : undefined;
        } else if (i.resource === "nic" || i.resource === "ip") {
          const l = await this.res.listOurs(count);
          const found = (i.resource === "nic" ? l.nics : l.ips).find((x) => x.name === i.name);
          exists = found ? { ours: true } : undefined;
        } else exists = undefined;
      } catch (e) {
        this.event("error", `journal intent ${i.seq} (${i.op} ${i.name}): cannot look it up: ${armError(e).message}`);
        continue;
      }
      if (i.op === "create") {
        if (exists?.ours) {
          j.outcome(i, "adopted", { size: exists.size, note: `found after a restart (${exists.state ?? "present"})` });
          this.event("adopted", `${i.name}: created by the previous session before it stopped; adopted`, i.host);
        } else j.outcome(i, "abandoned", { note: exists ? "exists without cotwin's tags: not ours" : "not found after a restart" });
      } else if (i.op === "delete") {
        j.outcome(i, exists?.ours ? "abandoned" : "done", { note: exists?.ours ? "still there after a restart: deleted again by garbage collection" : "gone" });
      } else {
        j.outcome(i, "abandoned", { note: "effect unknown after a restart; the power state is read afresh" });
      }
    }
  }

  /** Reads the deployment's resources and each VM's power state into the host table. */
  private async refreshArm(count: Counter, force = false): Promise<void> {
    if (!force && this.now - this.lastArm < this.o.armObserveEveryMs) return;
    this.lastArm = this.now;
    const l = await this.res.listOurs(count);
    this.listing = l;
    const known = this.o.journal.known();
    const ipOf = new Map(l.ips.map((ip) => [ip.name ?? "", ip.ipAddress]));
    const seen = new Set<number>();
    for (const vm of l.vms) {
      const h = this.n.hostOf(vm.name ?? "");
      if (h < 0 || h >= this.hosts.length || !known.has(vm.name!)) continue;
      const host = this.hosts[h];
      seen.add(h);
      host.vmId = vm.id;
      host.size = vm.hardwareProfile?.vmSize ?? host.size;
      host.price = priceOf(host.size, host.slot.pricePerHour);
      host.ip = ipOf.get(this.n.ip(h)) ?? host.ip;
      if (host.op) continue;
      const ps = await this.res.powerState(vm.name!, count);
      const power = ps?.power ?? "unknown";
      const was = host.phase;
      if (power === "deallocated" || power === "stopped") {
        if (was !== "off") this.bill(host, false);
        host.phase = "off";
      } else if (power === "deallocating" || power === "stopping") host.phase = "draining";
      else if (power === "running" || power === "starting") {
        if (was === "off" || was === "failed") {
          this.bill(host, true);
          host.phase = "booting";
          host.awaiting ??= { t0: this.now, retries: 0 };
        }
      } else if (ps?.provisioning === "failed") host.phase = "failed";
    }
    for (let h = 0; h < this.hosts.length; h++) {
      const host = this.hosts[h];
      if (!seen.has(h) && !host.op && host.phase !== "off") {
        this.bill(host, false);
        host.phase = "off";
        this.event("error", `host ${h}: its VM ${this.n.vm(h)} is gone`, h);
      }
    }
  }

  /** The worker of every started host: on once it answers (the start's outcome), its CPU counter. */
  private async checkWorkers(): Promise<Map<number, number>> {
    const cpu = new Map<number, number>();
    await Promise.all(
      this.hosts.map(async (host, h) => {
        if (!host.ip || (host.phase !== "booting" && host.phase !== "on" && host.phase !== "draining")) return;
        if (host.phase === "booting" && !host.awaiting) return;
        const to = this.addressOf(h);
        if (!to) return;
        try {
          const m = await this.client.metrics(to, 3000);
          host.metricFailures = 0;
          if (host.lastCpuS !== undefined) cpu.set(h, Math.max(0, m.cpuS - host.lastCpuS));
          host.lastCpuS = m.cpuS;
          if (host.phase === "booting" && host.awaiting) {
            host.phase = "on";
            this.outcomes.push({ host: h, action: "start", outcome: "applied", retries: host.awaiting.retries, size: host.size !== host.slot.size ? host.size : undefined, tookS: (this.now - host.awaiting.t0) / 1000 });
            host.awaiting = undefined;
          }
        } catch {
          host.metricFailures++;
          if (host.awaiting && this.now - host.awaiting.t0 > this.o.workerReadyTimeoutMs) {
            const retries = host.awaiting.retries;
            host.awaiting = undefined;
            this.outcomes.push({
              host: h,
              action: "start",
              outcome: "failed",
              retries,
              error: { code: "WorkerNotReady", message: `the worker on ${this.n.vm(h)} did not answer within ${this.o.workerReadyTimeoutMs / 1000} s`, hint: "cloud-init may have failed: see the VM's boot diagnostics or serial log; the VM is deallocated" },
            });
            this.enqueue(h, "stop");
          } else if (host.phase === "on" && host.metricFailures >= 3) {
            host.phase = "booting";
            host.awaiting = { t0: this.now, retries: 0 };
            this.event("error", `host ${h}: its worker stopped answering`, h);
          }
        }
      }),
    );
    return cpu;
  }

  private addressOf(h: number): WorkerAddress | undefined {
    const host = this.hosts[h];
    if (!host?.ip) return undefined;
    return this.o.workerAddress ? this.o.workerAddress(h, host.ip) : { address: host.ip, port: this.o.workerPort };
  }

  // ---------------------------------------------------------------- actions

  private enqueue(h: number, action: "start" | "stop"): void {
    const host = this.hosts[h];
    if (!host) return;
    if (host.op) {
      host.queued = action;
      return;
    }
    const run = action === "start" ? this.startOp(h) : this.stopOp(h);
    host.op = run.finally(() => {
      host.op = undefined;
      const q = host.queued;
      host.queued = undefined;
      if (q) this.enqueue(h, q);
    });
  }

  private failOutcome(h: number, action: "start" | "stop", count: Counter, e: unknown): void {
    const info: TargetError =
      e instanceof ActionFailure ? e.info : e instanceof NotOursError ? { code: e.code, message: e.message, hint: e.hint } : e instanceof RetriesExhausted ? describe(e.last, `after ${e.retries} retries`) : describe(e);
    this.outcomes.push({ host: h, action, outcome: "failed", retries: count.retries, error: info });
  }

  private ensureShared(count: Counter): Promise<{ subnetId: string }> {
    this.shared ??= (async () => {
      await this.res.ensureGroup(count);
      const nsgId = await this.journalled("create", "nsg", this.n.nsg, undefined, () => this.res.ensureNsg(this.o.controllerAddress, this.o.workerPort, this.o.sshFrom, count));
      const subnetId = await this.journalled("create", "vnet", this.n.vnet, undefined, () => this.res.ensureVnet(nsgId, count));
      return { subnetId };
    })();
    this.shared.catch(() => {
      this.shared = undefined; // tried again by the next action
    });
    return this.shared;
  }

  /** Runs a mutating call between its journal intent and its outcome. */
  private async journalled<T>(op: IntentRecord["op"], resource: ResourceKind, name: string, host: number | undefined, fn: () => Promise<T>, size?: string): Promise<T> {
    const i = this.o.journal.intent({ op, resource, name, host, size });
    try {
      const r = await fn();
      this.o.journal.outcome(i, "done", size ? { size } : {});
      return r;
    } catch (e) {
      this.o.journal.outcome(i, "failed", { code: errCode(e) });
      throw e;
    }
  }

  private async startOp(h: number): Promise<void> {
    const host = this.hosts[h];
    const count: Counter = { retries: 0 };
    const t0 = this.now;
    if (host.phase === "on" || (host.phase === "booting" && host.awaiting)) return;
    const before = host.phase;
    host.phase = "booting";
    this.bill(host, true);
    try {
      const { subnetId } = await this.ensureShared(count);
      const name = this.n.vm(h);
      let vm = await this.res.getVm(name, count);
      if (vm && !isOurs(vm.tags, this.o.deployment)) throw new NotOursError(`virtual machine ${name}`);
      if (vm?.provisioningState === "Failed") {
        await this.deleteHost(h, count, "a failed VM is replaced");
        vm = undefined;
      }
      if (vm) {
        const ps = await this.res.powerState(name, count);
        if (ps && (ps.power === "deallocated" || ps.power === "stopped")) {
          await this.journalled("start", "vm", name, h, () => this.res.startVm(name, count));
        }
        host.size = vm.hardwareProfile?.vmSize ?? host.size;
        host.vmId = vm.id;
      } else {
        await this.create(h, subnetId, count);
      }
      const ip = await this.res.ensureIp(h, count);
      host.ip = ip.ipAddress ?? host.ip;
      host.price = priceOf(host.size, host.slot.pricePerHour);
      host.awaiting = { t0, retries: count.retries };
    } catch (e) {
      if (!(e instanceof NotOursError)) await this.releaseNetwork(h, count);
      const vmLeft = this.hosts[h].vmId !== undefined && before !== "off";
      this.bill(host, vmLeft);
      host.phase = vmLeft ? before : "off";
      host.awaiting = undefined;
      this.failOutcome(h, "start", count, e);
    }
  }

  /** Creates the host's public IP, NIC and VM, falling back to the next size that fits. */
  private async create(h: number, subnetId: string, count: Counter): Promise<void> {
    const host = this.hosts[h];
    const name = this.n.vm(h);
    const ip = await this.journalled("create", "ip", this.n.ip(h), h, () => this.res.ensureIp(h, count));
    const nic = await this.journalled("create", "nic", this.n.nic(h), h, () => this.res.ensureNic(h, subnetId, ip.id!, count));
    const limit = this.o.maxUsdPerHour !== undefined ? this.o.maxUsdPerHour - this.allocatedUsd(h) : Infinity;
    const tried = new Set<string>();
    let last: ArmErrorInfo | undefined;
    // The candidates are worked out again after each failure: a quota failure takes out a whole family.
    for (let size: string | undefined = candidateSizes(host.slot.size, this.unavailable, limit)[0]; size !== undefined; size = candidateSizes(host.slot.size, this.unavailable, limit).find((s) => !tried.has(s))) {
      tried.add(size);
      const vcpus = HOST_SIZES[size]?.vcpus ?? host.slot.vcpus;
      const body = this.res.vmBody(h, size, nic.id!, this.o.customData(h, vcpus), this.sshKey);
      const intent = this.o.journal.intent({ op: "create", resource: "vm", name, host: h, size });
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), this.o.provisionTimeoutMs);
      try {
        const vm = await this.res.createVm(body, name, count, stop.signal);
        clearTimeout(timer);
        this.o.journal.outcome(intent, "done", { size });
        this.created(h, size, vm.id);
        await this.res.tagDisk(h, vm.id, count).catch((e) => this.event("error", `host ${h}: tagging its OS disk failed: ${armError(e).message}`, h));
        return;
      } catch (e) {
        clearTimeout(timer);
        const info = stop.signal.aborted ? { ...armError(e), kind: "provisioning" as const, code: "ProvisioningTimeout", message: `not provisioned after ${this.o.provisionTimeoutMs / 1000} s` } : armError(e instanceof RetriesExhausted ? e.last : e);
        last = info;
        if (info.kind === "sku" || info.kind === "allocation" || info.kind === "quota") {
          this.o.journal.outcome(intent, "failed", { code: info.code });
          if (info.kind === "quota") this.unavailable.markFamily(size);
          else this.unavailable.markSize(size);
          const failedVm = await this.res.getVm(name, count);
          if (failedVm && isOurs(failedVm.tags, this.o.deployment)) await this.deleteVm(h, count);
          this.event("fallback", `host ${h}: ${size} not available (${info.code}: ${info.message}); trying the next size that fits`, h);
          continue;
        }
        if (info.kind === "exists") {
          const vm = await this.res.getVm(name, count);
          if (!vm || !isOurs(vm.tags, this.o.deployment)) {
            this.o.journal.outcome(intent, "failed", { code: info.code });
            throw new NotOursError(`virtual machine ${name}`);
          }
          this.o.journal.outcome(intent, "adopted", { size: vm.hardwareProfile?.vmSize, note: "existed already (an earlier call reached Azure)" });
          this.created(h, vm.hardwareProfile?.vmSize ?? size, vm.id);
          return;
        }
        if (info.kind === "auth" || info.kind === "credential") {
          this.o.journal.outcome(intent, "failed", { code: info.code });
          throw new ActionFailure(info);
        }
        // Reported failed or never finished: the VM may still come up. Check again before cleaning up.
        if (await this.recheck(h, intent, info, count)) return;
        throw new ActionFailure(info);
      }
    }
    throw new ActionFailure({
      code: last?.code ?? "NoSizeAvailable",
      message: `no size that fits host ${h} (${host.slot.vcpus} vCPU, ${host.slot.ramMB} MB) could be created${last ? `; last: ${last.message}` : ""}`,
      hint: last?.hint ?? "no catalogue size fits within the price limit",
    });
  }

  private created(h: number, size: string, vmId: string | undefined): void {
    const host = this.hosts[h];
    host.size = size;
    host.vmId = vmId;
    host.price = priceOf(size, host.slot.pricePerHour);
    if (size !== host.slot.size) this.event("fallback", `host ${h} runs ${size} instead of ${host.slot.size} (${host.price} USD/h)`, h);
  }

  /**
   * A create reported failed (or given up on): look at the VM until it is healthy (adopted,
   * accounted for from its creation) or the re-check time is up (then it is deleted).
   */
  private async recheck(h: number, intent: IntentRecord, info: ArmErrorInfo, count: Counter): Promise<boolean> {
    const name = this.n.vm(h);
    const deadline = this.now + this.o.recheckMs;
    this.event("info", `host ${h}: create reported ${info.code} (${info.message}); checking the VM again before cleaning up`, h);
    for (;;) {
      const vm = await this.res.getVm(name, count);
      if (!vm) {
        this.o.journal.outcome(intent, "failed", { code: info.code, note: "no VM" });
        return false;
      }
      if (vm.provisioningState === "Succeeded") {
        this.o.journal.outcome(intent, "adopted", { size: vm.hardwareProfile?.vmSize, note: `provisioned after the create was reported ${info.code}` });
        this.created(h, vm.hardwareProfile?.vmSize ?? this.hosts[h].size, vm.id);
        this.event("recovered", `host ${h}: ${name} finished provisioning after all; kept and billed from its creation`, h);
        return true;
      }
      if (this.now >= deadline) {
        this.o.journal.outcome(intent, "failed", { code: info.code, note: `still ${vm.provisioningState} after ${this.o.recheckMs / 1000} s` });
        await this.deleteHost(h, count, `${name} never became healthy`);
        return false;
      }
      await this.o.axis.clock.sleep(this.o.recheckEveryMs);
    }
  }

  private async deleteVm(h: number, count: Counter): Promise<void> {
    await this.journalled("delete", "vm", this.n.vm(h), h, () => this.res.delete("vm", this.n.vm(h), count));
    this.hosts[h].vmId = undefined;
  }

  /** Deletes the host's VM, then its NIC and IP (what is left behind is collected later). */
  private async deleteHost(h: number, count: Counter, why: string): Promise<void> {
    this.event("info", `host ${h}: deleting ${this.n.vm(h)} (${why})`, h);
    await this.deleteVm(h, count);
    for (const [kind, name] of [["nic", this.n.nic(h)], ["ip", this.n.ip(h)], ["disk", this.n.disk(h)]] as const) {
      try {
        await this.journalled("delete", kind, name, h, () => this.res.delete(kind, name, count));
      } catch (e) {
        this.event("info", `host ${h}: ${name} left for garbage collection (${armError(e instanceof RetriesExhausted ? e.last : e).code})`, h);
      }
    }
  }

  /** After a start that failed: the host's NIC and IP, when it has no VM, are deleted (what cannot be yet is collected later). */
  private async releaseNetwork(h: number, count: Counter): Promise<void> {
    try {
      if (await this.res.getVm(this.n.vm(h), count)) return;
    } catch {
      return; // cannot tell: garbage collection decides later
    }
    this.hosts[h].vmId = undefined;
    for (const [kind, name] of [["nic", this.n.nic(h)], ["ip", this.n.ip(h)]] as const) {
      try {
        await this.journalled("delete", kind, name, h, () => this.res.delete(kind, name, count));
      } catch (e) {
        this.event("info", `host ${h}: ${name} left for garbage collection (${errCode(e)})`, h);
      }
    }
  }

  private async stopOp(h: number): Promise<void> {
    const host = this.hosts[h];
    const count: Counter = { retries: 0 };
    if (host.phase === "off") return;
    host.phase = "draining";
    host.awaiting = undefined;
    const until = this.now + this.o.drainMs;
    while (host.inFlight > 0 && this.now < until) await this.o.axis.clock.sleep(Math.min(100, this.o.drainMs));
    try {
      const vm = await this.res.getVm(this.n.vm(h), count);
      if (vm) await this.journalled("deallocate", "vm", this.n.vm(h), h, () => this.res.deallocateVm(this.n.vm(h), count));
      this.bill(host, false);
      host.phase = "off";
      host.lastCpuS = undefined;
      this.outcomes.push({ host: h, action: "stop", outcome: "applied", retries: count.retries });
    } catch (e) {
      host.phase = "on";
      this.failOutcome(h, "stop", count, e);
    }
  }

  private allocatedUsd(except: number): number {
    let s = 0;
    this.hosts.forEach((x, h) => {
      if (h !== except && x.phase !== "off") s += x.price;
    });
    return s;
  }

  // ---------------------------------------------------------------- garbage collection

  /**
   * Tagged VMs the journal does not know (a crash between a create and its journal record, or a
   * journal lost) are adopted when healthy and their host is free, else deleted; tagged NICs,
   * IPs and disks with no VM are deleted. Nothing younger than the grace period is touched.
   */
  private async collect(count: Counter): Promise<void> {
    if (!this.listing) return;
    this.lastGc = this.now;
    const l = this.listing;
    const known = this.o.journal.known();
    const epoch = this.o.axis.clock.epochMs();
    const old = (tags: Record<string, string> | undefined) => {
      const t = createdAt(tags);
      return Number.isFinite(t) && epoch - t >= this.o.gcGraceMs;
    };
    const busy = (h: number) => h >= 0 && h < this.hosts.length && this.hosts[h].op !== undefined;
    const vmNames = new Set(l.vms.map((v) => v.name));
    for (const vm of l.vms) {
      const name = vm.name!;
      const h = this.n.hostOf(name);
      if (known.has(name) || busy(h) || !old(vm.tags)) continue;
      if (h >= 0 && h < this.hosts.length && vm.provisioningState === "Succeeded") {
        this.o.journal.found({ resource: "vm", name, host: h, size: vm.hardwareProfile?.vmSize, action: "adopted", note: "tagged VM the journal did not know" });
        this.event("adopted", `${name}: tagged VM the journal did not know; adopted as host ${h}`, h);
        const host = this.hosts[h];
        host.vmId = vm.id;
        host.size = vm.hardwareProfile?.vmSize ?? host.size;
        host.price = priceOf(host.size, host.slot.pricePerHour);
        this.lastArm = -Infinity; // read its power state at the next observation
      } else {
        this.o.journal.found({ resource: "vm", name, host: h, action: "collected", note: `tagged VM the journal did not know (${vm.provisioningState})` });
        this.event("collected", `${name}: tagged VM the journal did not know (${vm.provisioningState}); deleted`, h);
        try {
          await this.journalled("delete", "vm", name, h, () => this.res.delete("vm", name, count));
        } catch (e) {
          this.event("error", `${name}: delete failed (${armError(e).code}); tried again later`, h);
        }
      }
    }
    const nicNames = new Set(l.nics.map((x) => x.name));
    const leftovers: Array<[ResourceKind & ("nic" | "ip" | "disk"), string, number]> = [];
    for (const nic of l.nics) {
      const h = this.n.hostOf(nic.name ?? "");
      if (nic.virtualMachine?.id || busy(h) || vmNames.has(this.n.vm(h)) || !old(nic.tags)) continue;
      leftovers.push(["nic", nic.name!, h]);
    }
    for (const ip of l.ips) {
      const h = this.n.hostOf(ip.name ?? "");
      if (ip.ipConfiguration?.id || busy(h) || vmNames.has(this.n.vm(h)) || nicNames.has(this.n.nic(h)) || !old(ip.tags)) continue;
      leftovers.push(["ip", ip.name!, h]);
    }
    for (const d of l.disks) {
      const h = this.n.hostOf(d.name ?? "");
      if (d.managedBy || busy(h) || !old(d.tags)) continue;
      leftovers.push(["disk", d.name!, h]);
    }
    for (const [kind, name, h] of leftovers) {
      this.o.journal.found({ resource: kind, name, host: h >= 0 ? h : undefined, action: "collected", note: "tagged, without a VM" });
      try {
        await this.journalled("delete", kind, name, h >= 0 ? h : undefined, () => this.res.delete(kind, name, count));
        this.event("collected", `${name}: tagged ${kind === "nic" ? "network interface" : kind === "ip" ? "public IP" : "disk"} without a VM; deleted`, h >= 0 ? h : undefined);
      } catch (e) {
        this.event("info", `${name}: not deleted yet (${armError(e instanceof RetriesExhausted ? e.last : e).code}); tried again later`, h >= 0 ? h : undefined);
      }
    }
  }

  // ---------------------------------------------------------------- the Target interface

  async observe(): Promise<TargetObservation> {
    const count: Counter = { retries: 0 };
    try {
      await this.refreshArm(count);
      if (this.now - this.lastGc >= this.o.gcEveryMs) await this.collect(count);
    } catch (e) {
      const i = armError(e instanceof RetriesExhausted ? e.last : e);
      this.event("error", `reading Azure: ${i.code}: ${i.message}${i.hint ? ` (${i.hint})` : ""}`);
    }
    const cpu = await this.checkWorkers();
    const hosts: ObservedHost[] = this.hosts.map((host, h) => {
      this.bill(host, host.billing);
      const billedS = host.billedS;
      host.billedS = 0;
      return {
        host: h,
        phase: host.phase,
        size: host.size,
        pricePerHour: host.price,
        vcpus: HOST_SIZES[host.size]?.vcpus ?? host.slot.vcpus,
        cpuS: cpu.get(h) ?? 0,
        billedS,
        busy: host.op !== undefined || host.awaiting !== undefined,
      };
    });
    const out: TargetObservation = { hosts, requests: this.finished, actions: this.outcomes, events: this.events };
    this.finished = [];
    this.outcomes = [];
    this.events = [];
    return out;
  }

  async apply(plan: TargetPlan): Promise<void> {
    for (const p of plan.provision) this.enqueue(p.host, p.action);
    for (const r of plan.deploy) this.dispatch(r);
  }

  private dispatch(r: DispatchRequest): void {
    const involved = [...new Set(r.hosts)];
    for (const h of involved) this.hosts[h].inFlight++;
    const p = runRequest(
      { model: this.o.model, client: this.client, addressOf: (h) => (this.hosts[h]?.phase === "on" || this.hosts[h]?.phase === "draining" ? this.addressOf(h) : undefined), nowS: () => this.o.axis.nowS(), timeoutMs: this.o.fragmentTimeoutMs },
      r,
    ).then((m) => {
      this.finished.push(m);
      for (const h of involved) this.hosts[h].inFlight--;
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async running(): Promise<RunningHost[]> {
    return this.hosts
      .map((x, h) => ({ x, h }))
      .filter(({ x }) => x.phase !== "off")
      .map(({ x, h }) => ({ host: h, name: this.n.vm(h), size: x.size, phase: x.phase, pricePerHour: x.price }));
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = this.now + timeoutMs;
    while (this.pending.size > 0 && this.now < deadline) {
      const stop = new AbortController();
      await Promise.race([Promise.all([...this.pending]), this.o.axis.clock.sleep(Math.max(1, deadline - this.now), stop.signal)]);
      stop.abort();
    }
  }

  /** Waits for the actions in progress (each ends in the journal either way). */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = this.now + timeoutMs;
    while (this.hosts.some((h) => h.op) && this.now < deadline) await this.o.axis.clock.sleep(Math.min(200, timeoutMs));
  }

  async close(o: { stopHosts: boolean }): Promise<void> {
    // Actions still in progress end in the journal either way; a restart reconciles them.
    await this.settle(o.stopHosts ? this.o.provisionTimeoutMs : Math.min(60_000, this.o.provisionTimeoutMs));
    if (o.stopHosts) {
      for (let h = 0; h < this.hosts.length; h++) if (this.hosts[h].phase !== "off") this.enqueue(h, "stop");
      await this.settle(this.o.drainMs + this.o.provisionTimeoutMs);
    }
    this.client.close();
  }

  // ---------------------------------------------------------------- teardown and status

  /** Deletes everything tagged for the deployment (VMs first, then what they used). */
  async teardown(timeoutMs = 15 * 60_000): Promise<TeardownReport> {
    const count: Counter = { retries: 0 };
    const report: TeardownReport = { deleted: [], left: [] };
    await this.reconcile(count);
    const deadline = this.now + timeoutMs;
    const del = async (kind: "vm" | "nic" | "ip" | "disk" | "nsg" | "vnet", name: string, host?: number) => {
      for (;;) {
        try {
          const r = await this.journalled("delete", kind, name, host, () => this.res.delete(kind, name, count));
          if (r === "deleted") report.deleted.push(name);
          return;
        } catch (e) {
          const i = armError(e instanceof RetriesExhausted ? e.last : e);
          if ((i.kind === "nicReserved" || i.kind === "transient" || i.kind === "throttled" || i.code === "InUseSubnetCannotBeDeleted") && this.now < deadline) {
            await this.o.axis.clock.sleep(Math.max(this.o.recheckEveryMs, i.retryAfterMs ?? 0));
            continue;
          }
          report.left.push({ name, reason: `${i.code}: ${i.message}` });
          return;
        }
      }
    };
    const l = await this.res.listOurs(count);
    await Promise.all(l.vms.map((vm) => del("vm", vm.name!, this.n.hostOf(vm.name!))));
    await Promise.all(l.nics.map((x) => del("nic", x.name!, this.n.hostOf(x.name!))));
    await Promise.all(l.ips.map((x) => del("ip", x.name!, this.n.hostOf(x.name!))));
    const disks = (await this.res.listOurs(count)).disks;
    await Promise.all(disks.map((x) => del("disk", x.name!, this.n.hostOf(x.name!))));
    const shared = await this.res.listSharedOurs(count);
    for (const x of shared.nsgs.filter((x) => x.name !== this.n.nsg)) report.left.push({ name: x.name!, reason: "tagged for this deployment but not its own security group name: left alone" });
    await Promise.all(shared.vnets.map((x) => del("vnet", x.name!)));
    await Promise.all(shared.nsgs.filter((x) => x.name === this.n.nsg).map((x) => del("nsg", x.name!)));
    for (const h of this.hosts) {
      this.bill(h, false);
      h.phase = "off";
    }
    return report;
  }

  /** What is tagged for the deployment, with the price of what is allocated. */
  async status(): Promise<StatusRow[]> {
    const count: Counter = { retries: 0 };
    const l = await this.res.listOurs(count);
    const rows: StatusRow[] = [];
    for (const vm of l.vms) {
      const ps = await this.res.powerState(vm.name!, count);
      const size = vm.hardwareProfile?.vmSize ?? "?";
      const allocated = ps && ps.power !== "deallocated" && ps.power !== "stopped";
      rows.push({ kind: "vm", name: vm.name!, host: this.n.hostOf(vm.name!), size, state: `${vm.provisioningState ?? "?"}, ${ps?.power ?? "?"}`, pricePerHour: allocated ? priceOf(size, 0) : 0 });
    }
    for (const x of l.nics) rows.push({ kind: "nic", name: x.name!, host: this.n.hostOf(x.name!), state: x.virtualMachine?.id ? "attached" : "unattached", pricePerHour: 0 });
    for (const x of l.ips) rows.push({ kind: "ip", name: x.name!, host: this.n.hostOf(x.name!), state: x.ipConfiguration?.id ? "in use" : "unused", pricePerHour: 0 });
    for (const x of l.disks) rows.push({ kind: "disk", name: x.name!, host: this.n.hostOf(x.name!), state: x.managedBy ? "attached" : "unattached", pricePerHour: 0 });
    const shared = await this.res.listSharedOurs(count);
    for (const x of shared.nsgs) rows.push({ kind: "nsg", name: x.name!, pricePerHour: 0 });
    for (const x of shared.vnets) rows.push({ kind: "vnet", name: x.name!, pricePerHour: 0 });
    return rows;
  }
}

function errCode(e: unknown): string {
  if (e instanceof NotOursError) return e.code;
  if (e instanceof ActionFailure) return e.info.code;
  return armError(e instanceof RetriesExhausted ? e.last : e).code;
}

function describe(e: unknown, suffix?: string): TargetError {
  const i = armError(e);
  return { code: i.code, message: suffix ? `${i.message} (${suffix})` : i.message, hint: i.hint };
}
