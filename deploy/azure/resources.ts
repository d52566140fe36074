/**
 * The Azure calls the target makes, each retried (retry.ts) and each mutating call guarded: the
 * resource is read first and left alone unless it carries this deployment's tags. Creates use
 * If-None-Match: * so a create can never overwrite a resource that appeared meanwhile.
 */
import type { VirtualMachine } from "@azure/arm-compute";
import type { NetworkInterface, NetworkSecurityGroup, PublicIPAddress, VirtualNetwork } from "@azure/arm-network";
import type { RandomStream } from "../../simulator/engine/random.ts";
import type { Clock } from "../clock.ts";
import { withRetry, type RetrySettings } from "../retry.ts";
import type { ArmClients } from "./arm.ts";
import { armError, armRetryVerdict } from "./errors.ts";
import { isOurs, ownedTags, type Names } from "./naming.ts";

/** the VM's admin account (Azure puts the SSH key in its home directory on the VM) */
const VM_ADMIN = "cotwin";

export class NotOursError extends Error {
  readonly code = "NotOwnedByCotwin";
  readonly hint = "cotwin never modifies a resource without its tags for this deployment: choose another --deployment name, or remove the resource yourself";
  constructor(readonly resource: string) {
    super(`${resource} exists without this deployment's cotwin tags: left alone`);
    this.name = "NotOursError";
  }
}

export interface ResourceSettings {
  resourceGroup: string;
  location: string;
  deployment: string;
  names: Names;
  extraTags: Record<string, string>;
  retry: RetrySettings;
  rng: RandomStream;
  clock: Clock;
  /** poll interval of long-running operations, ms (0 in tests) */
  pollMs: number;
}

/** counts retries of the calls made for one action */
export interface Counter {
  retries: number;
}

export type PowerState = "running" | "starting" | "stopping" | "stopped" | "deallocating" | "deallocated" | "unknown";

export interface Tagged {
  name?: string;
  tags?: Record<string, string>;
}

export class ArmResources {
  constructor(
    private readonly c: ArmClients,
    readonly s: ResourceSettings,
  ) {}

  private call<T>(fn: () => Promise<T>, count: Counter, signal?: AbortSignal): Promise<T> {
    return withRetry(fn, {
      settings: this.s.retry,
      rng: this.s.rng,
      clock: this.s.clock,
      classify: armRetryVerdict,
      onRetry: () => {
        count.retries++;
      },
      signal,
    });
  }

  private lro(signal?: AbortSignal): { updateIntervalInMs: number; abortSignal?: AbortSignal } {
    return { updateIntervalInMs: this.s.pollMs, abortSignal: signal };
  }

  private tags(host?: number): Record<string, string> {
    return ownedTags(this.s.deployment, this.s.clock.epochMs(), this.s.extraTags, host);
  }

  /** undefined when absent (404); other errors are thrown. */
  private async getOrUndefined<T>(fn: () => Promise<T>, count: Counter): Promise<T | undefined> {
    try {
      return await this.call(fn, count);
    } catch (e) {
      if (armError(e).kind === "notFound") return undefined;
      throw e;
    }
  }

  private mine<T extends Tagged>(r: T | undefined, what: string): T | undefined {
    if (r && !isOurs(r.tags, this.s.deployment)) throw new NotOursError(what);
    return r;
  }

  // ---------------------------------------------------------------- reads

  getVm(name: string, count: Counter): Promise<VirtualMachine | undefined> {
    return this.getOrUndefined(() => this.c.compute.virtualMachines.get(this.s.resourceGroup, name), count);
  }

  async powerState(name: string, count: Counter): Promise<{ provisioning: string; power: PowerState } | undefined> {
    const iv = await this.getOrUndefined(() => this.c.compute.virtualMachines.instanceView(this.s.resourceGroup, name), count);
    if (!iv) return undefined;
    let provisioning = "unknown";
    let power: PowerState = "unknown";
    for (const st of iv.statuses ?? []) {
      const code = st.code ?? "";
      if (code.startsWith("ProvisioningState/")) provisioning = code.slice(18).toLowerCase();
      else if (code.startsWith("PowerState/")) power = code.slice(11).toLowerCase() as PowerState;
    }
    return { provisioning, power };
  }

  /** All pages of a list; an empty list when the resource group does not exist (yet). */
  private async listAll<T>(it: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    try {
      for await (const x of it) out.push(x);
    } catch (e) {
      if (armError(e).kind === "notFound") return [];
      throw e;
    }
    return out;
  }

  /** Resources of this deployment (tagged); untagged ones in the group are not even returned. */
  async listOurs(count: Counter): Promise<{ vms: VirtualMachine[]; nics: NetworkInterface[]; ips: PublicIPAddress[]; disks: Array<{ name?: string; tags?: Record<string, string>; managedBy?: string; diskState?: string }> }> {
    const rg = this.s.resourceGroup;
    const ours = <T extends Tagged>(xs: T[]) => xs.filter((x) => isOurs(x.tags, this.s.deployment));
    const [vms, nics, ips, disks] = await Promise.all([
      this.call(() => this.listAll(this.c.compute.virtualMachines.list(rg)), count),
      this.call(() => this.listAll(this.c.network.networkInterfaces.list(rg)), count),
      this.call(() => this.listAll(this.c.network.publicIPAddresses.list(rg)), count),
      this.call(() => this.listAll(this.c.compute.disks.listByResourceGroup(rg)), count),
    ]);
    return { vms: ours(vms), nics: ours(nics), ips: ours(ips), disks: ours(disks) };
  }

  async listSharedOurs(count: Counter): Promise<{ nsgs: NetworkSecurityGroup[]; vnets: VirtualNetwork[] }> {
    const rg = this.s.resourceGroup;
    const ours = <T extends Tagged>(xs: T[]) => xs.filter((x) => isOurs(x.tags, this.s.deployment));
    const [nsgs, vnets] = await Promise.all([
      this.call(() => this.listAll(this.c.network.networkSecurityGroups.list(rg)), count),
      this.call(() => this.listAll(this.c.network.virtualNetworks.list(rg)), count),
    ]);
    return { nsgs: ours(nsgs), vnets: ours(vnets) };
  }

  // ---------------------------------------------------------------- shared resources

  /** The resource group: created (tagged) when absent; an existing one is used as it is, never changed. */
  async ensureGroup(count: Counter): Promise<"created" | "exists"> {
    const rg = this.s.resourceGroup;
    const g = await this.getOrUndefined(() => this.c.resources.resourceGroups.get(rg), count);
    if (g) return "exists";
    await this.call(() => this.c.resources.resourceGroups.createOrUpdate(rg, { location: this.s.location, tags: this.tags() }), count);
    return "created";
  }

  /**
   * The network security group: inbound TCP to the worker's port from the controller's address
   * only; SSH from `sshFrom` only when asked; everything else inbound stays denied (Azure's
   * default rules).
   */
  nsgRules(controller: string, port: number, sshFrom?: string): NonNullable<NetworkSecurityGroup["securityRules"]> {
    const rules: NonNullable<NetworkSecurityGroup["securityRules"]> = [
      {
        name: "cotwin-worker-from-controller",
        protocol: "Tcp",
        access: "Allow",
        direction: "Inbound",
        priority: 100,
        sourceAddressPrefix: controller,
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: String(port),
      },
    ];
    if (sshFrom) {
      rules.push({ name: "cotwin-ssh", protocol: "Tcp", access: "Allow", direction: "Inbound", priority: 110, sourceAddressPrefix: sshFrom, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22" });
    }
    return rules;
  }

  async ensureNsg(controller: string, port: number, sshFrom: string | undefined, count: Counter): Promise<string> {
    const rg = this.s.resourceGroup;
    const name = this.s.names.nsg;
    const cur = this.mine(await this.getOrUndefined(() => this.c.network.networkSecurityGroups.get(rg, name), count), `network security group ${name}`);
    const rules = this.nsgRules(controller, port, sshFrom);
    const same = cur && JSON.stringify((cur.securityRules ?? []).map((r) => [r.name, r.sourceAddressPrefix, r.destinationPortRange, r.access, r.priority])) === JSON.stringify(rules.map((r) => [r.name, r.sourceAddressPrefix, r.destinationPortRange, r.access, r.priority]));
    if (cur && same && cur.id) return cur.id;
    const r = await this.call(() => this.c.network.networkSecurityGroups.createOrUpdate(rg, name, { location: this.s.location, tags: cur?.tags ?? this.tags(), securityRules: rules }, this.lro()), count);
    return r.id!;
  }

  async ensureVnet(nsgId: string, count: Counter): Promise<string> {
    const rg = this.s.resourceGroup;
    const name = this.s.names.vnet;
    const cur = this.mine(await this.getOrUndefined(() => this.c.network.virtualNetworks.get(rg, name), count), `virtual network ${name}`);
    const subnet = cur?.subnets?.find((s) => s.name === this.s.names.subnet);
    if (subnet?.id) return subnet.id;
    const r = await this.call(
      () =>
        this.c.network.virtualNetworks.createOrUpdate(
          rg,
          name,
          {
            location: this.s.location,
            tags: cur?.tags ?? this.tags(),
            addressSpace: { addressPrefixes: ["10.61.0.0/16"] },
            subnets: [{ name: this.s.names.subnet, addressPrefix: "10.61.0.0/20", networkSecurityGroup: { id: nsgId } }],
          },
          this.lro(),
        ),
      count,
    );
    const id = r.subnets?.find((s) => s.name === this.s.names.subnet)?.id;
    if (!id) throw new Error(`virtual network ${name}: created without its subnet ${this.s.names.subnet}`);
    return id;
  }

  // ---------------------------------------------------------------- per host

  async ensureIp(h: number, count: Counter): Promise<PublicIPAddress> {
    const rg = this.s.resourceGroup;
    const name = this.s.names.ip(h);
    const cur = this.mine(await this.getOrUndefined(() => this.c.network.publicIPAddresses.get(rg, name), count), `public IP ${name}`);
    if (cur?.provisioningState === "Succeeded") return cur;
    return this.call(
      () =>
        this.c.network.publicIPAddresses.createOrUpdate(
          rg,
          name,
          { location: this.s.location, tags: cur?.tags ?? this.tags(h), sku: { name: "Standard" }, publicIPAllocationMethod: "Static", publicIPAddressVersion: "IPv4", deleteOption: "Delete" },
          this.lro(),
        ),
      count,
    );
  }

  async ensureNic(h: number, subnetId: string, ipId: string, count: Counter): Promise<NetworkInterface> {
    const rg = this.s.resourceGroup;
    const name = this.s.names.nic(h);
    const cur = this.mine(await this.getOrUndefined(() => this.c.network.networkInterfaces.get(rg, name), count), `network interface ${name}`);
    if (cur?.provisioningState === "Succeeded") return cur;
    return this.call(
      () =>
        this.c.network.networkInterfaces.createOrUpdate(
          rg,
          name,
          {
            location: this.s.location,
            tags: cur?.tags ?? this.tags(h),
            ipConfigurations: [{ name: "primary", primary: true, subnet: { id: subnetId }, privateIPAllocationMethod: "Dynamic", publicIPAddress: { id: ipId } }],
          },
          this.lro(),
        ),
      count,
    );
  }

  /** The VM body: the size, the image, cloud-init (customData), no password login, the NIC. */
  vmBody(h: number, size: string, nicId: string, customData: string, sshPublicKey: string): VirtualMachine {
    return {
      location: this.s.location,
      tags: this.tags(h),
      hardwareProfile: { vmSize: size },
      storageProfile: {
        imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
        osDisk: { name: this.s.names.disk(h), createOption: "FromImage", deleteOption: "Delete", managedDisk: { storageAccountType: "Standard_LRS" } },
      },
      osProfile: {
        computerName: this.s.names.vm(h),
        adminUsername: VM_ADMIN,
        customData,
        linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: `/home/${VM_ADMIN}/.ssh/authorized_keys`, keyData: sshPublicKey }] } },
      },
      networkProfile: { networkInterfaces: [{ id: nicId, primary: true, deleteOption: "Delete" }] },
    };
  }

  /**
   * Creates the VM and waits for its long-running operation (abortable: a VM that never finishes
   * is given up on by the caller). The initial PUT is retried; it carries If-None-Match: *, so a
   * retry after a lost answer gets PreconditionFailed rather than a second VM.
   */
  createVm(body: VirtualMachine, name: string, count: Counter, signal: AbortSignal): Promise<VirtualMachine> {
    return this.call(() => this.c.compute.virtualMachines.createOrUpdate(this.s.resourceGroup, name, body, { ...this.lro(signal), ifNoneMatch: "*" }), count);
  }

  async startVm(name: string, count: Counter): Promise<void> {
    this.mine(await this.getVm(name, count), `virtual machine ${name}`);
    await this.call(() => this.c.compute.virtualMachines.start(this.s.resourceGroup, name, this.lro()), count);
  }

  async deallocateVm(name: string, count: Counter): Promise<void> {
    this.mine(await this.getVm(name, count), `virtual machine ${name}`);
    await this.call(() => this.c.compute.virtualMachines.deallocate(this.s.resourceGroup, name, this.lro()), count);
  }

  /** Tags the OS disk the VM create made (Azure does not pass the VM's tags on), if the VM owns it. */
  async tagDisk(h: number, vmId: string | undefined, count: Counter): Promise<void> {
    const rg = this.s.resourceGroup;
    const name = this.s.names.disk(h);
    const d = await this.getOrUndefined(() => this.c.compute.disks.get(rg, name), count);
    if (!d || isOurs(d.tags, this.s.deployment)) return;
    if (!vmId || d.managedBy?.toLowerCase() !== vmId.toLowerCase()) return; // not the disk our VM made: leave it
    await this.call(() => this.c.compute.disks.update(rg, name, { tags: this.tags(h) }, this.lro()), count);
  }

  /** Deletes a tagged resource; "absent" when it is gone already. Untagged: NotOursError, nothing called. */
  async delete(kind: "vm" | "nic" | "ip" | "disk" | "nsg" | "vnet", name: string, count: Counter): Promise<"deleted" | "absent"> {
    const rg = this.s.resourceGroup;
    const n = this.c.network;
    const k = this.c.compute;
    const ops = {
      vm: { get: () => k.virtualMachines.get(rg, name), del: () => k.virtualMachines.delete(rg, name, this.lro()), what: "virtual machine" },
      nic: { get: () => n.networkInterfaces.get(rg, name), del: () => n.networkInterfaces.delete(rg, name, this.lro()), what: "network interface" },
      ip: { get: () => n.publicIPAddresses.get(rg, name), del: () => n.publicIPAddresses.delete(rg, name, this.lro()), what: "public IP" },
      disk: { get: () => k.disks.get(rg, name), del: () => k.disks.delete(rg, name, this.lro()), what: "disk" },
      nsg: { get: () => n.networkSecurityGroups.get(rg, name), del: () => n.networkSecurityGroups.delete(rg, name, this.lro()), what: "network security group" },
      vnet: { get: () => n.virtualNetworks.get(rg, name), del: () => n.virtualNetworks.delete(rg, name, this.lro()), what: "virtual network" },
    }[kind];
    const cur = this.mine(await this.getOrUndefined(ops.get as () => Promise<Tagged>, count), `${ops.what} ${name}`);
    if (!cur) return "absent";
    await this.call(ops.del as () => Promise<unknown>, count);
    return "deleted";
  }
}
