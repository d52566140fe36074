/**
 * The controller's side of the worker protocol (testbed/worker.ts): fragments and metrics over
 * HTTP with keep-alive connections, the deployment's token in every request. Used alike for the
 * testbed's processes on 127.0.0.1 and the workers on Azure VMs.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";

export interface WorkerAddress {
  address: string;
  port: number;
}

export interface WorkerMetrics {
  host: number;
  vcpus: number;
  cpuS: number;
  uptimeS: number;
  served: number;
  failed: number;
  running: number;
  placed: number;
}

export interface FragmentAnswer {
  status: number;
  /** time on the worker not running (waiting for a vCPU) */
  waitS: number;
  computeS: number;
  roundTripS: number;
  body: Buffer;
}

export class WorkerCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "WorkerCallError";
  }
}

export class WorkerClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly auth: string;

  constructor(token: string) {
    this.auth = `Bearer ${token}`;
  }

  private request(to: WorkerAddress, method: string, path: string, body: Buffer | null, timeoutMs: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; roundTripS: number }> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(
        {
          host: to.address,
          port: to.port,
          method,
          path,
          agent: this.agent,
          timeout: timeoutMs,
          headers: { authorization: this.auth, "content-length": body ? body.length : 0 },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), roundTripS: (performance.now() - t0) / 1000 }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new WorkerCallError(`worker ${to.address}:${to.port} did not answer within ${timeoutMs} ms`, 0)));
      req.on("error", reject);
      req.end(body ?? undefined);
    });
  }

  async metrics(to: WorkerAddress, timeoutMs = 2000): Promise<WorkerMetrics> {
    const r = await this.request(to, "GET", "/v1/metrics", null, timeoutMs);
    if (r.status !== 200) throw new WorkerCallError(`worker metrics: HTTP ${r.status}`, r.status);
    return JSON.parse(r.body.toString("utf8")) as WorkerMetrics;
  }

  async fragment(to: WorkerAddress, mflop: number, size: number, input: Buffer, outBytes: number, timeoutMs: number): Promise<FragmentAnswer> {
    const q = `/v1/fragment?mflop=${mflop}&size=${size}&out=${outBytes}`;
    const r = await this.request(to, "POST", q, input, timeoutMs);
    if (r.status !== 200) throw new WorkerCallError(`worker fragment: HTTP ${r.status} ${r.body.toString("utf8").slice(0, 200)}`, r.status);
    return {
      status: r.status,
      waitS: Number(r.headers["x-cotwin-wait-s"] ?? 0),
      computeS: Number(r.headers["x-cotwin-compute-s"] ?? 0),
      roundTripS: r.roundTripS,
      body: r.body,
    };
  }

  /** An unauthenticated probe (for tests of the refusal): the HTTP status the worker answers. */
  static async statusWithout(to: WorkerAddress, auth?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: to.address, port: to.port, method: "GET", path: "/v1/metrics", headers: auth ? { authorization: auth } : {} }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
