/**
 * Runs one deployed request on the workers as the twin placed it: a chain sends each fragment's
 * output to the next fragment's host (through the controller, which measures every hop), a
 * parallel variant runs all fragments at once and collects their outputs. Each fragment carries
 * its MI (x the request size) as MFLOP of model work and answers with its output's size in bytes.
 */
import type { TwinModel } from "../simulator/model.ts";
import type { DispatchRequest, FragmentTiming, MeasuredRequest } from "./types.ts";
import type { WorkerAddress, WorkerClient } from "./worker-client.ts";

const MB = 1024 * 1024;

export interface DispatchContext {
  model: TwinModel;
  client: WorkerClient;
  /** where host h's worker listens (undefined: not reachable now) */
  addressOf(host: number): WorkerAddress | undefined;
  /** s on the loop's time axis */
  nowS(): number;
  /** per fragment call, ms */
  timeoutMs: number;
}

export async function runRequest(c: DispatchContext, r: DispatchRequest): Promise<MeasuredRequest> {
  const m = c.model;
  const dispatchS = c.nowS();
  const v = m.variantId(r.app, r.variant);
  const timings: FragmentTiming[] = [];
  const done = (status: MeasuredRequest["status"], error?: string): MeasuredRequest => ({
    id: r.id,
    app: r.app,
    variant: r.variant,
    size: r.size,
    arrivalS: r.arrivalS,
    dispatchS,
    endS: c.nowS(),
    status,
    error,
    fragments: timings,
  });
  if (v < 0) return done("failed", `variant ${r.variant} is not offered for application ${r.app}`);
  const nf = m.vNFrag[v];
  const base = m.vFragBase[v];
  const runOne = async (j: number, input: Buffer): Promise<Buffer> => {
    const h = r.hosts[j];
    const to = c.addressOf(h);
    if (!to) throw new Error(`fragment ${j}: host ${h} has no running worker`);
    const mi = m.fragMI[base + j] * r.size;
    const outBytes = Math.round(m.fragOut[base + j] * r.size * MB);
    const a = await c.client.fragment(to, m.fragMI[base + j], r.size, input, outBytes, c.timeoutMs);
    timings.push({ index: j, host: h, mi, waitS: a.waitS, computeS: a.computeS, roundTripS: a.roundTripS, bytesIn: input.length, bytesOut: a.body.length });
    return a.body;
  };
  try {
    if (m.vParallel[v] === 1) {
      const empty = Buffer.alloc(0);
      await Promise.all(Array.from({ length: nf }, (_, j) => runOne(j, empty)));
    } else {
      let data: Buffer = Buffer.alloc(0);
      for (let j = 0; j < nf; j++) data = await runOne(j, data);
    }
  } catch (e) {
    return done("failed", (e as Error).message);
  }
  return done("completed");
}
