/**
 * A fake Azure Resource Manager on 127.0.0.1 for the deploy tests: the resource group, VM, NIC,
 * public IP, disk, network security group and virtual network calls the Azure target makes,
 * with long-running operations (Azure-AsyncOperation polling) and the faults the online loop
 * must survive. The real SDK-based target runs against it; only the endpoint and the credential
 * differ from real use.
 *
 * Wire format as Azure's: resources are { id, name, type, location, tags, properties }; an
 * accepted PUT, DELETE or POST answers 201/202 with an Azure-AsyncOperation URL whose status is
 * InProgress until polled `pollsToFinish` times, then Succeeded or Failed with an error.
 *
 * Faults are queued per call and matched in order (method, resource type, name, VM size); each
 * applies `times` times (default once).
 */
import http from "node:http";

export type ResourceType = "virtualMachines" | "networkInterfaces" | "publicIPAddresses" | "disks" | "networkSecurityGroups" | "virtualNetworks";

const NAMESPACE: Record<ResourceType, string> = {
  virtualMachines: "Microsoft.Compute",
  disks: "Microsoft.Compute",
  networkInterfaces: "Microsoft.Network",
  publicIPAddresses: "Microsoft.Network",
  networkSecurityGroups: "Microsoft.Network",
  virtualNetworks: "Microsoft.Network",
};

export interface FakeResource {
  id: string;
  name: string;
  type: string;
  location: string;
  tags?: Record<string, string>;
  properties: Record<string, unknown>;
  /** fake-only: VM power state */
  power?: "running" | "deallocated" | "starting" | "deallocating";
}

export type FaultAction =
  /** answer at once with this status and ARM error */
  | { status: number; code: string; message?: string; retryAfter?: string }
  /** accept, then the operation fails with this error (a VM is left in provisioningState Failed) */
  | { lro: "fail"; code: string; message?: string }
  /** accept; the operation never finishes (the VM stays Creating) */
  | { lro: "never" }
  /** accept; the operation reports Failed, but the VM finishes provisioning after `succeedAfterGets` later GETs of it */
  | { lro: "failThenSucceed"; code: string; message?: string; succeedAfterGets: number }
  /** VM delete: the VM goes, its NIC stays (whatever its deleteOption) */
  | { leaveNic: true }
  /** called each time the operation is polled; the operation does not finish (a test kills a process there) */
  | { onPoll: () => void };

export interface Fault {
  method?: "GET" | "PUT" | "DELETE" | "POST" | "PATCH";
  type?: ResourceType | "resourceGroups" | "operations";
  /** exact name or a pattern */
  name?: string | RegExp;
  /** PUT of a VM with this size */
  size?: string;
  /** POST action (start, deallocate) */
  action?: string;
  times?: number;
  then: FaultAction;
}

interface Operation {
  id: string;
  polls: number;
  pollsToFinish: number;
  outcome: "succeed" | "fail" | "never";
  error?: { code: string; message: string };
  finish: () => void;
  onPoll?: () => void;
}

export interface LoggedRequest {
  method: string;
  path: string;
  body?: unknown;
}

export class FakeArm {
  readonly subscription = "00000000-0000-0000-0000-000000000000";
  readonly token = "fake-arm-token";
  url = "";
  readonly requests: LoggedRequest[] = [];
  readonly groups = new Map<string, { location: string; tags?: Record<string, string> }>();
  /** by lower-case id */
  readonly resources = new Map<string, FakeResource>();
  /** VM names created (each creation of a new VM resource) */
  readonly vmCreations: string[] = [];
  readonly faults: Fault[] = [];
  /** polls an operation takes to finish */
  pollsToFinish = 1;
  private readonly ops = new Map<string, Operation>();
  private readonly pendingSuccess = new Map<string, { gets: number; after: number }>();
  private server?: http.Server;
  private nextOp = 1;

  /** a credential object for the SDK (getToken), as the tests pass it */
  credential = { getToken: async () => ({ token: this.token, expiresOnTimestamp: Date.now() + 3600_000 }) };

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        try {
          this.handle(req, res, body);
        } catch (e) {
          this.send(res, 500, { error: { code: "FakeArmBug", message: (e as Error).stack ?? String(e) } });
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  fault(f: Fault): void {
    this.faults.push({ times: 1, ...f });
  }

  idOf(rg: string, type: ResourceType, name: string): string {
    return `/subscriptions/${this.subscription}/resourceGroups/${rg}/providers/${NAMESPACE[type]}/${type}/${name}`;
  }

  /** Puts a resource in place directly (e.g. someone else's, untagged). */
  seed(rg: string, type: ResourceType, name: string, properties: Record<string, unknown> = {}, tags?: Record<string, string>): FakeResource {
    if (!this.groups.has(rg)) this.groups.set(rg, { location: "eastus" });
    const r: FakeResource = { id: this.idOf(rg, type, name), name, type: `${NAMESPACE[type]}/${type}`, location: "eastus", tags, properties: { provisioningState: "Succeeded", ...properties } };
    if (type === "virtualMachines") r.power = "running";
    this.resources.set(r.id.toLowerCase(), r);
    return r;
  }

  list(type: ResourceType, rg?: string): FakeResource[] {
    return [...this.resources.values()].filter((r) => r.type === `${NAMESPACE[type]}/${type}` && (!rg || r.id.toLowerCase().includes(`/resourcegroups/${rg.toLowerCase()}/`)));
  }

  get(rg: string, type: ResourceType, name: string): FakeResource | undefined {
    return this.resources.get(this.idOf(rg, type, name).toLowerCase());
  }

  /** Mutating calls (PUT, PATCH, DELETE, POST) made on one resource path. */
  mutationsOf(rg: string, type: ResourceType, name: string): LoggedRequest[] {
    const id = this.idOf(rg, type, name).toLowerCase();
    return this.requests.filter((r) => r.method !== "GET" && r.path.toLowerCase().split("?")[0].startsWith(id));
  }

  // ---------------------------------------------------------------- request handling

  private send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private takeFault(method: string, type: string, name: string, size?: string, action?: string): FaultAction | undefined {
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i];
      if (f.method && f.method !== method) continue;
      if (f.type && f.type !== type) continue;
      if (f.name !== undefined && !(typeof f.name === "string" ? f.name === name : f.name.test(name))) continue;
      if (f.size && f.size !== size) continue;
      if (f.action && f.action !== action) continue;
      f.times = (f.times ?? 1) - 1;
      if (f.times <= 0) this.faults.splice(i, 1);
      return f.then;
    }
    return undefined;
  }

  private operation(location: string, finish: () => void, opts: Partial<Pick<Operation, "outcome" | "error" | "onPoll">> = {}): string {
    const id = `op${this.nextOp++}`;
    this.ops.set(id, { id, polls: 0, pollsToFinish: this.pollsToFinish, outcome: opts.outcome ?? "succeed", error: opts.error, finish, onPoll: opts.onPoll });
    return `${this.url}/subscriptions/${this.subscription}/providers/Microsoft.Compute/locations/${location}/operations/${id}?api-version=2024-01-01`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    this.requests.push({ method, path: url.pathname + url.search, body });
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.send(res, 401, { error: { code: "InvalidAuthenticationToken", message: "no or wrong bearer token" } });
      return;
    }
    const parts = url.pathname.split("/").filter(Boolean);
    // /subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/operations/{id}
    if (parts[2]?.toLowerCase() === "providers" && parts[6] === "operations") {
      this.poll(res, parts[7]);
      return;
    }
    if (parts[0] !== "subscriptions" || parts[1] !== this.subscription || parts[2]?.toLowerCase() !== "resourcegroups") {
      this.send(res, 404, { error: { code: "NotFound", message: url.pathname } });
      return;
    }
    const rg = parts[3];
    if (parts.length === 4) {
      this.group(res, method, rg, body);
      return;
    }
    if (!this.groups.has(rg)) {
      this.send(res, 404, { error: { code: "ResourceGroupNotFound", message: `Resource group '${rg}' could not be found.` } });
      return;
    }
    const type = parts[6] as ResourceType;
    const name = parts[7];
    const sub = parts[8];
    if (!(type in NAMESPACE)) {
      this.send(res, 404, { error: { code: "NotFound", message: `unsupported type ${type}` } });
      return;
    }
    if (name === undefined) {
      if (method === "GET") this.send(res, 200, { value: this.list(type, rg).map((r) => this.view(r)) });
      else this.send(res, 405, { error: { code: "MethodNotAllowed", message: method } });
      return;
    }
    const size = type === "virtualMachines" ? ((body?.properties as { hardwareProfile?: { vmSize?: string } } | undefined)?.hardwareProfile?.vmSize) : undefined;
    const fault = this.takeFault(method, type, name, size, sub);
    if (fault && "status" in fault) {
      const headers: Record<string, string> = fault.retryAfter ? { "retry-after": fault.retryAfter } : {};
      this.send(res, fault.status, { error: { code: fault.code, message: fault.message ?? fault.code } }, headers);
      return;
    }
    const id = this.idOf(rg, type, name);
    const key = id.toLowerCase();
    const existing = this.resources.get(key);
    if (method === "GET" && sub === "instanceView") {
      if (!existing) return this.notFound(res, type, name);
      const ps = String(existing.properties.provisioningState ?? "Succeeded").toLowerCase();
      this.send(res, 200, { statuses: [{ code: `ProvisioningState/${ps}` }, ...(existing.power ? [{ code: `PowerState/${existing.power}` }] : [])] });
      return;
    }
    if (method === "GET") {
      if (!existing) return this.notFound(res, type, name);
      const p = this.pendingSuccess.get(key);
      if (p) {
        p.gets++;
        if (p.gets >= p.after) {
          existing.properties.provisioningState = "Succeeded";
          existing.power = "running";
          this.pendingSuccess.delete(key);
        }
      }
      this.send(res, 200, this.view(existing));
      return;
    }
    if (method === "PUT") {
      this.put(res, req, rg, type, name, key, id, existing, body ?? {}, fault);
      return;
    }
    if (method === "PATCH") {
      if (!existing) return this.notFound(res, type, name);
      if (body?.tags) existing.tags = body.tags as Record<string, string>;
      this.send(res, 200, this.view(existing));
      return;
    }
    if (method === "DELETE") {
      if (!existing) {
        this.send(res, 204);
        return;
      }
      if (type === "networkInterfaces" && (existing.properties.virtualMachine as { id?: string } | undefined)?.id) {
        this.send(res, 400, { error: { code: "NicInUse", message: `Network interface ${name} is used by a virtual machine` } });
        return;
      }
      const loc = this.operation(existing.location, () => this.remove(existing, fault));
      this.send(res, 202, undefined, { "azure-asyncoperation": loc });
      return;
    }
    if (method === "POST" && (sub === "start" || sub === "deallocate")) {
      if (!existing) return this.notFound(res, type, name);
      existing.power = sub === "start" ? "starting" : "deallocating";
      const loc = this.operation(existing.location, () => {
        existing.power = sub === "start" ? "running" : "deallocated";
      }, this.lroOptions(fault));
      this.send(res, 202, undefined, { "azure-asyncoperation": loc });
      return;
    }
    this.send(res, 405, { error: { code: "MethodNotAllowed", message: `${method} ${url.pathname}` } });
  }

  private notFound(res: http.ServerResponse, type: string, name: string): void {
    this.send(res, 404, { error: { code: "ResourceNotFound", message: `The Resource '${type}/${name}' was not found.` } });
  }

  private group(res: http.ServerResponse, method: string, rg: string, body?: Record<string, unknown>): void {
    const fault = this.takeFault(method, "resourceGroups", rg);
    if (fault && "status" in fault) {
      this.send(res, fault.status, { error: { code: fault.code, message: fault.message ?? fault.code } }, fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
      return;
    }
    const g = this.groups.get(rg);
    const view = (x: { location: string; tags?: Record<string, string> }) => ({ id: `/subscriptions/${this.subscription}/resourceGroups/${rg}`, name: rg, location: x.location, tags: x.tags, properties: { provisioningState: "Succeeded" } });
    if (method === "GET" || method === "HEAD") {
      if (!g) this.send(res, 404, { error: { code: "ResourceGroupNotFound", message: `Resource group '${rg}' could not be found.` } });
      else this.send(res, 200, view(g));
    } else if (method === "PUT") {
      const n = { location: String(body?.location ?? "eastus"), tags: body?.tags as Record<string, string> | undefined };
      this.groups.set(rg, n);
      this.send(res, g ? 200 : 201, view(n));
    } else this.send(res, 405, { error: { code: "MethodNotAllowed", message: method } });
  }

  private lroOptions(fault: FaultAction | undefined): Partial<Pick<Operation, "outcome" | "error" | "onPoll">> {
    if (!fault) return {};
    if ("onPoll" in fault) return { onPoll: fault.onPoll, outcome: "never" };
    if ("lro" in fault) {
      if (fault.lro === "never") return { outcome: "never" };
      return { outcome: "fail", error: { code: fault.code, message: fault.message ?? fault.code } };
    }
    return {};
  }

  private put(res: http.ServerResponse, req: http.IncomingMessage, rg: string, type: ResourceType, name: string, key: string, id: string, existing: FakeResource | undefined, body: Record<string, unknown>, fault: FaultAction | undefined): void {
    if (existing && req.headers["if-none-match"] === "*") {
      this.send(res, 412, { error: { code: "PreconditionFailed", message: `${name} exists` } });
      return;
    }
    const props = { ...((body.properties as Record<string, unknown>) ?? {}) };
    const r: FakeResource = existing ?? { id, name, type: `${NAMESPACE[type]}/${type}`, location: String(body.location ?? "eastus"), properties: {} };
    r.tags = body.tags as Record<string, string> | undefined;
    if (type === "virtualMachines") {
      const os = (props.osProfile ?? {}) as Record<string, unknown>;
      // Azure never returns customData
      const { customData: _cd, ...osView } = os;
      void _cd;
      r.properties = { ...props, osProfile: osView, vmId: `vm-${name}`, timeCreated: new Date().toISOString(), provisioningState: "Creating" };
      if (!existing) this.vmCreations.push(name);
      this.resources.set(key, r);
      const lro = this.lroOptions(fault);
      const loc = this.operation(r.location, () => this.vmCreated(rg, r, fault), lro);
      this.send(res, existing ? 200 : 201, this.view(r), { "azure-asyncoperation": loc });
      return;
    }
    r.properties = { ...props, provisioningState: "Updating" };
    if (type === "publicIPAddresses") r.properties.ipAddress = "127.0.0.1";
    if (type === "networkInterfaces") {
      // keep the VM link the NIC already has
      if (existing?.properties.virtualMachine) r.properties.virtualMachine = existing.properties.virtualMachine;
      this.linkIps(r);
    }
    if (type === "virtualNetworks") {
      r.properties.subnets = ((props.subnets as Array<{ name: string; properties?: unknown }>) ?? []).map((s) => ({ ...s, id: `${id}/subnets/${s.name}` }));
    }
    this.resources.set(key, r);
    const loc = this.operation(r.location, () => {
      r.properties.provisioningState = "Succeeded";
    }, this.lroOptions(fault));
    this.send(res, existing ? 200 : 201, this.view(r), { "azure-asyncoperation": loc });
  }

  private linkIps(nic: FakeResource): void {
    const cfgs = (nic.properties.ipConfigurations as Array<{ properties?: { publicIPAddress?: { id?: string } } }>) ?? [];
    for (const c of cfgs) {
      const ipId = c.properties?.publicIPAddress?.id;
      const ip = ipId ? this.resources.get(ipId.toLowerCase()) : undefined;
      if (ip) ip.properties.ipConfiguration = { id: `${nic.id}/ipConfigurations/primary` };
    }
  }

  private vmCreated(rg: string, vm: FakeResource, fault: FaultAction | undefined): void {
    if (fault && "lro" in fault && fault.lro === "fail") {
      vm.properties.provisioningState = "Failed";
      return;
    }
    if (fault && "lro" in fault && fault.lro === "failThenSucceed") {
      vm.properties.provisioningState = "Creating";
      this.pendingSuccess.set(vm.id.toLowerCase(), { gets: 0, after: fault.succeedAfterGets });
      return;
    }
    vm.properties.provisioningState = "Succeeded";
    vm.power = "running";
    const nics = ((vm.properties.networkProfile as { networkInterfaces?: Array<{ id: string }> })?.networkInterfaces ?? []);
    for (const n of nics) {
      const nic = this.resources.get(n.id.toLowerCase());
      if (nic) nic.properties.virtualMachine = { id: vm.id };
    }
    const os = (vm.properties.storageProfile as { osDisk?: { name?: string } } | undefined)?.osDisk;
    const diskName = os?.name ?? `${vm.name}_OsDisk`;
    const disk: FakeResource = { id: this.idOf(rg, "disks", diskName), name: diskName, type: "Microsoft.Compute/disks", location: vm.location, properties: { provisioningState: "Succeeded", diskState: "Attached" }, tags: undefined };
    (disk as FakeResource & { managedBy?: string }).managedBy = vm.id;
    this.resources.set(disk.id.toLowerCase(), disk);
  }

  private remove(r: FakeResource, fault: FaultAction | undefined): void {
    this.resources.delete(r.id.toLowerCase());
    if (r.type === "Microsoft.Compute/virtualMachines") {
      const os = (r.properties.storageProfile as { osDisk?: { name?: string; deleteOption?: string } } | undefined)?.osDisk;
      const disk = [...this.resources.values()].find((x) => (x as FakeResource & { managedBy?: string }).managedBy === r.id);
      if (disk) {
        if (os?.deleteOption === "Delete") this.resources.delete(disk.id.toLowerCase());
        else {
          (disk as FakeResource & { managedBy?: string }).managedBy = undefined;
          disk.properties.diskState = "Unattached";
        }
      }
      const leave = fault !== undefined && "leaveNic" in fault;
      for (const n of ((r.properties.networkProfile as { networkInterfaces?: Array<{ id: string; deleteOption?: string; properties?: { deleteOption?: string } }> })?.networkInterfaces ?? [])) {
        const nic = this.resources.get(n.id.toLowerCase());
        if (!nic) continue;
        delete nic.properties.virtualMachine;
        const opt = n.deleteOption ?? n.properties?.deleteOption;
        if (opt === "Delete" && !leave) this.resources.delete(nic.id.toLowerCase());
      }
    }
    if (r.type === "Microsoft.Network/networkInterfaces") {
      for (const ip of this.list("publicIPAddresses")) {
        if ((ip.properties.ipConfiguration as { id?: string } | undefined)?.id?.toLowerCase().startsWith(r.id.toLowerCase())) delete ip.properties.ipConfiguration;
      }
    }
  }

  private poll(res: http.ServerResponse, opId: string): void {
    const op = this.ops.get(opId);
    if (!op) {
      this.send(res, 404, { error: { code: "NotFound", message: opId } });
      return;
    }
    op.polls++;
    op.onPoll?.();
    if (op.outcome === "never" || op.polls < op.pollsToFinish) {
      this.send(res, 200, { status: "InProgress" });
      return;
    }
    this.ops.delete(opId);
    op.finish();
    if (op.outcome === "fail") this.send(res, 200, { status: "Failed", error: op.error });
    else this.send(res, 200, { status: "Succeeded" });
  }

  /** A resource as ARM shows it (disks carry managedBy at the top level). */
  private view(r: FakeResource): Record<string, unknown> {
    const v: Record<string, unknown> = { id: r.id, name: r.name, type: r.type, location: r.location, tags: r.tags, properties: r.properties };
    const mb = (r as FakeResource & { managedBy?: string }).managedBy;
    if (mb) v.managedBy = mb;
    return v;
  }
}
