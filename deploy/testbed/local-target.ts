/**
 * The local testbed target: one worker process per started host (testbed/worker.ts) on
 * 127.0.0.1, as many compute threads as the host's vCPUs. Starting a host spawns its process
 * (booting until the worker reports ready), stopping it drains the host's requests and ends the
 * process. Billing runs from spawn to exit at the size's catalogue price, as it would on Azure.
 *
 * A worker ends by itself when the controller goes away (its IPC channel closes), so a killed
 * controller leaves no process behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { entryFile } from "../../simulator/package-root.ts";
import type { TwinModel } from "../../simulator/model.ts";
import type { TimeAxis } from "../clock.ts";
import { runRequest } from "../dispatch.ts";
import type { HostSlot } from "../hosts.ts";
import type { ActionOutcome, DispatchRequest, HostPhase, MeasuredRequest, ObservedHost, RunningHost, Target, TargetEvent, TargetObservation, TargetPlan } from "../types.ts";
import { WorkerClient, type WorkerAddress } from "../worker-client.ts";
import type { WorkerConfig } from "./worker.ts";

export interface LocalTargetOptions {
  model: TwinModel;
  slots: HostSlot[];
  token: string;
  axis: TimeAxis;
  bootTimeoutMs?: number;
  fragmentTimeoutMs?: number;
}

interface LocalHost {
  slot: HostSlot;
  phase: HostPhase;
  child?: ChildProcess;
  address?: WorkerAddress;
  /** clock ms the process was spawned / billing was last counted */
  billedUntil: number;
  billedS: number;
  lastCpuS: number;
  inFlight: number;
  /** a stop waits for the host's requests to end */
  stopping: boolean;
  stderr: string;
}

export class LocalTarget implements Target {
  readonly kind = "local";
  private readonly hosts: LocalHost[];
  private readonly client: WorkerClient;
  private finished: MeasuredRequest[] = [];
  private outcomes: ActionOutcome[] = [];
  private events: TargetEvent[] = [];
  private pending = new Set<Promise<void>>();

  constructor(private readonly o: LocalTargetOptions) {
    this.client = new WorkerClient(o.token);
    this.hosts = o.slots.map((slot) => ({ slot, phase: "off", billedUntil: 0, billedS: 0, lastCpuS: 0, inFlight: 0, stopping: false, stderr: "" }));
  }

  async open(initialOn: number[]): Promise<void> {
    await Promise.all(initialOn.map((h) => this.start(h)));
    const failed = initialOn.filter((h) => this.hosts[h].phase !== "on");
    if (failed.length > 0) {
      const h = this.hosts[failed[0]];
      throw new Error(`local testbed: the worker of host ${failed[0]} did not start${h.stderr ? `: ${h.stderr.trim().split("\n").slice(-1)[0]}` : ""}`);
    }
    // Billing of the initial hosts starts with the run, as the twin's does.
    const now = this.o.axis.clock.now();
    for (const h of this.hosts) if (h.phase === "on") h.billedUntil = now;
  }

  private spawnWorker(h: LocalHost): ChildProcess {
    const entry = entryFile("deploy/testbed/worker.ts");
    const args: string[] = [];
    if (entry.needsTsx) args.push("--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href);
    args.push(entry.file);
    return spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  }

  /** Spawns host h's worker; resolves when it is on (or has failed). */
  private start(host: number): Promise<void> {
    const h = this.hosts[host];
    const t0 = this.o.axis.clock.now();
    h.phase = "booting";
    h.stopping = false;
    h.billedUntil = t0;
    h.lastCpuS = 0;
    h.stderr = "";
    const child = this.spawnWorker(h);
    h.child = child;
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (s: string) => {
      h.stderr = (h.stderr + s).slice(-2000);
    });
    const config: WorkerConfig = { token: this.o.token, host, vcpus: h.slot.vcpus, listen: "127.0.0.1", port: 0 };
    return new Promise<void>((resolve) => {
      let settled = false;
      const fail = (code: string, message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.account(h);
        h.phase = "off";
        h.child = undefined;
        child.kill("SIGKILL");
        this.outcomes.push({ host, action: "start", outcome: "failed", retries: 0, error: { code, message, hint: "see the worker's message; `npm ci` installs onnxruntime-node" } });
        resolve();
      };
      const timer = setTimeout(() => fail("WorkerStartTimeout", `worker of host ${host} not ready after ${this.o.bootTimeoutMs ?? 60_000} ms`), this.o.bootTimeoutMs ?? 60_000);
      child.on("message", (m: { type: string; port?: number; message?: string }) => {
        if (m.type === "ready" && !settled) {
          settled = true;
          clearTimeout(timer);
          h.address = { address: "127.0.0.1", port: m.port! };
          if (h.stopping) {
            this.end(h, "stop");
          } else {
            h.phase = "on";
            this.outcomes.push({ host, action: "start", outcome: "applied", retries: 0, tookS: (this.o.axis.clock.now() - t0) / 1000 });
          }
          resolve();
        } else if (m.type === "error") fail("WorkerStartFailed", m.message ?? "start-up failed");
      });
      child.on("exit", (code, signal) => {
        if (!settled) fail("WorkerStartFailed", `worker exited (${signal ?? code}) before it was ready: ${h.stderr.trim().split("\n").slice(-1)[0] ?? ""}`);
        else if (h.child === child && h.phase !== "off") {
          // Not asked to stop: the host failed.
          this.account(h);
          h.phase = "failed";
          h.child = undefined;
          h.address = undefined;
          this.events.push({ kind: "error", host, message: `worker of host ${host} exited unexpectedly (${signal ?? code})` });
        }
      });
      child.send({ type: "config", config });
    });
  }

  /** Ends host h's process (billing stops). */
  private end(h: LocalHost, action: "stop"): void {
    this.account(h);
    const child = h.child;
    h.child = undefined;
    h.address = undefined;
    h.phase = "off";
    h.stopping = false;
    child?.kill("SIGTERM");
    this.outcomes.push({ host: h.slot.host, action, outcome: "applied", retries: 0 });
  }

  private account(h: LocalHost): void {
    if (h.phase === "off" || h.phase === "failed") return;
    const now = this.o.axis.clock.now();
    h.billedS += Math.max(0, now - h.billedUntil) / 1000;
    h.billedUntil = now;
  }

  async apply(plan: TargetPlan): Promise<void> {
    for (const p of plan.provision) {
      const h = this.hosts[p.host];
      if (!h) continue;
      if (p.action === "start") {
        if (h.phase === "off" || h.phase === "failed") void this.start(p.host);
        else if (h.phase === "draining") {
          h.phase = "on";
          h.stopping = false;
          this.outcomes.push({ host: p.host, action: "start", outcome: "applied", retries: 0 });
        }
      } else {
        if (h.phase === "booting") h.stopping = true;
        else if (h.phase === "on") {
          if (h.inFlight > 0) {
            h.phase = "draining";
            h.stopping = true;
          } else this.end(h, "stop");
        }
      }
    }
    for (const r of plan.deploy) this.dispatch(r);
  }

  private dispatch(r: DispatchRequest): void {
    const involved = [...new Set(r.hosts)];
    for (const h of involved) this.hosts[h].inFlight++;
    const p = runRequest(
      {
        model: this.o.model,
        client: this.client,
        addressOf: (h) => this.hosts[h]?.address,
        nowS: () => this.o.axis.nowS(),
        timeoutMs: this.o.fragmentTimeoutMs ?? 120_000,
      },
      r,
    ).then((m) => {
      this.finished.push(m);
      for (const h of involved) {
        const host = this.hosts[h];
        host.inFlight--;
        if (host.phase === "draining" && host.stopping && host.inFlight === 0) this.end(host, "stop");
      }
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async observe(): Promise<TargetObservation> {
    const hosts: ObservedHost[] = await Promise.all(
      this.hosts.map(async (h) => {
        let cpuS = 0;
        if (h.address && (h.phase === "on" || h.phase === "draining")) {
          try {
            const m = await this.client.metrics(h.address);
            cpuS = Math.max(0, m.cpuS - h.lastCpuS);
            h.lastCpuS = m.cpuS;
          } catch (e) {
            this.events.push({ kind: "error", host: h.slot.host, message: `metrics of host ${h.slot.host}: ${(e as Error).message}` });
          }
        }
        this.account(h);
        const billedS = h.billedS;
        h.billedS = 0;
        return { host: h.slot.host, phase: h.phase, size: h.slot.size, pricePerHour: h.slot.pricePerHour, vcpus: h.slot.vcpus, cpuS, billedS, busy: h.phase === "booting" };
      }),
    );
    const out: TargetObservation = { hosts, requests: this.finished, actions: this.outcomes, events: this.events };
    this.finished = [];
    this.outcomes = [];
    this.events = [];
    return out;
  }

  async running(): Promise<RunningHost[]> {
    return this.hosts
      .filter((h) => h.phase !== "off")
      .map((h) => ({ host: h.slot.host, name: `local worker ${h.slot.name} (pid ${h.child?.pid ?? "?"})`, size: h.slot.size, phase: h.phase, pricePerHour: h.slot.pricePerHour }));
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = this.o.axis.clock.now() + timeoutMs;
    while (this.pending.size > 0 && this.o.axis.clock.now() < deadline) {
      const stop = new AbortController();
      await Promise.race([Promise.all([...this.pending]), this.o.axis.clock.sleep(Math.max(1, deadline - this.o.axis.clock.now()), stop.signal)]);
      stop.abort();
    }
  }

  async close(): Promise<void> {
    // Worker processes never outlive the controller: they stop whatever `stopHosts` says.
    for (const h of this.hosts) {
      if (h.child) {
        this.account(h);
        h.child.kill("SIGTERM");
        h.child = undefined;
        h.address = undefined;
        h.phase = "off";
      }
    }
    this.client.close();
  }
}
