/**
 * The twin's compiled, immutable model: hosts, applications and settings flattened into typed
 * arrays once, shared by the twin and all its forks.
 */
import type { AppSpec, VariantKind } from "./catalogue/applications.ts";
import { VARIANT_KINDS } from "./catalogue/applications.ts";
import type { HostSizeSpec } from "./catalogue/host-sizes.ts";
import { powerAt } from "./power.ts";

export interface HostSpec {
  name: string;
  size: HostSizeSpec;
  curve: readonly number[];
  bootS: number;
  initiallyOn: boolean;
  /** credits at boot (B-series only) */
  initialCredits: number;
  /** share of the server's power charged to this host (1: the whole server; see power.ts energyShare) */
  energyShare?: number;
}

export interface TwinSettings {
  name: string;
  intervalS: number;
  hosts: HostSpec[];
  apps: AppSpec[];
  variants: readonly VariantKind[];
  network: { latencyS: number; bandwidthMBps: number };
  failures: { ratePerHostHour: number; onFailure: "requeue" | "fail"; repairS: number };
  /** a request still pending this long after its arrival is rejected */
  maxPendingS: number;
  /** "interval": decide at interval starts; "arrival": also decide at each arrival */
  admission: "interval" | "arrival";
  /** the scenario names a forecaster (observations carry forecasts) */
  hasForecast?: boolean;
}

export const NKINDS = VARIANT_KINDS.length;

export class TwinModel {
  readonly name: string;
  readonly intervalS: number;
  readonly hostCount: number;
  readonly hostNames: string[];
  readonly sizeNames: string[];
  readonly hostSize: Int32Array;
  readonly vcpus: Int32Array;
  readonly mips: Float64Array;
  readonly ramMB: Float64Array;
  readonly pricePerHour: Float64Array;
  readonly bootS: Float64Array;
  /** 11 points per host: the server's curve times the host's energy share */
  readonly curves: Float64Array;
  readonly idleW: Float64Array;
  readonly maxW: Float64Array;
  /** credits earned per second (0: no credit bucket) */
  readonly creditEarnPerS: Float64Array;
  readonly creditMax: Float64Array;
  readonly creditInit: Float64Array;
  /** base utilisation a B-series host is held at without credits */
  readonly baseU: Float64Array;
  readonly initiallyOn: Uint8Array;

  readonly apps: readonly AppSpec[];
  readonly variants: readonly VariantKind[];
  /** variant id = app * NKINDS + kind index; -1 where not offered */
  readonly variantOffered: Int8Array;
  readonly vNFrag: Int32Array;
  readonly vParallel: Uint8Array;
  readonly vAccuracy: Float64Array;
  readonly vFragBase: Int32Array;
  readonly fragMI: Float64Array;
  readonly fragRam: Float64Array;
  readonly fragOut: Float64Array;
  readonly maxFragments: number;
  /** per application, the best accuracy among the variants the scenario offers */
  readonly appBestAccuracy: Float64Array;

  readonly latencyS: number;
  readonly bandwidthMBps: number;
  readonly failureRatePerS: number;
  readonly onFailure: "requeue" | "fail";
  readonly repairS: number;
  readonly maxPendingS: number;
  readonly admission: "interval" | "arrival";
  readonly hasForecast: boolean;

  constructor(readonly settings: TwinSettings) {
    const s = settings;
    this.name = s.name;
    this.intervalS = s.intervalS;
    const H = s.hosts.length;
    this.hostCount = H;
    this.hostNames = s.hosts.map((h) => h.name);
    this.sizeNames = [...new Set(s.hosts.map((h) => h.size.name))];
    this.hostSize = new Int32Array(H);
    this.vcpus = new Int32Array(H);
    this.mips = new Float64Array(H);
    this.ramMB = new Float64Array(H);
    this.pricePerHour = new Float64Array(H);
    this.bootS = new Float64Array(H);
    this.curves = new Float64Array(H * 11);
    this.idleW = new Float64Array(H);
    this.maxW = new Float64Array(H);
    this.creditEarnPerS = new Float64Array(H);
    this.creditMax = new Float64Array(H);
    this.creditInit = new Float64Array(H);
    this.baseU = new Float64Array(H);
    this.initiallyOn = new Uint8Array(H);
    s.hosts.forEach((h, i) => {
      this.hostSize[i] = this.sizeNames.indexOf(h.size.name);
      this.vcpus[i] = h.size.vcpus;
      this.mips[i] = h.size.mipsPerVcpu;
      this.ramMB[i] = h.size.ramMB;
      this.pricePerHour[i] = h.size.pricePerHour;
      this.bootS[i] = h.bootS;
      const share = h.energyShare ?? 1;
      const curve = share === 1 ? h.curve : h.curve.map((w) => w * share);
      this.curves.set(curve, i * 11);
      this.idleW[i] = powerAt(curve, 0);
      this.maxW[i] = powerAt(curve, 1);
      this.initiallyOn[i] = h.initiallyOn ? 1 : 0;
      const c = h.size.credits;
      if (c) {
        // One credit = one vCPU at 100 % for one minute. The base rate is the utilisation at which
        // spending equals earning, derived from the earning rate so the bucket is consistent.
        this.creditEarnPerS[i] = c.creditsPerHour / 3600;
        this.creditMax[i] = c.maxBanked;
        this.creditInit[i] = Math.min(h.initialCredits, c.maxBanked);
        this.baseU[i] = c.creditsPerHour / 60 / h.size.vcpus;
      } else {
        this.baseU[i] = 1;
      }
    });

    this.apps = s.apps;
    this.variants = s.variants;
    const A = s.apps.length;
    this.variantOffered = new Int8Array(A * NKINDS).fill(-1);
    this.vNFrag = new Int32Array(A * NKINDS);
    this.vParallel = new Uint8Array(A * NKINDS);
    this.vAccuracy = new Float64Array(A * NKINDS);
    this.vFragBase = new Int32Array(A * NKINDS);
    const mi: number[] = [];
    const ram: number[] = [];
    const out: number[] = [];
    let maxF = 1;
    s.apps.forEach((app, a) => {
      for (const v of app.variants) {
        const k = VARIANT_KINDS.indexOf(v.kind);
        if (!s.variants.includes(v.kind)) continue;
        const id = a * NKINDS + k;
        this.variantOffered[id] = 1;
        this.vNFrag[id] = v.fragments.length;
        this.vParallel[id] = v.parallel ? 1 : 0;
        this.vAccuracy[id] = v.accuracy;
        this.vFragBase[id] = mi.length;
        maxF = Math.max(maxF, v.fragments.length);
        for (const f of v.fragments) {
          mi.push(f.mi);
          ram.push(f.ramMB);
          out.push(f.outMB);
        }
      }
    });
    this.appBestAccuracy = new Float64Array(A);
    for (let a = 0; a < A; a++) {
      let best = 0;
      for (let k = 0; k < NKINDS; k++) if (this.variantOffered[a * NKINDS + k] === 1) best = Math.max(best, this.vAccuracy[a * NKINDS + k]);
      this.appBestAccuracy[a] = best;
    }
    this.fragMI = Float64Array.from(mi);
    this.fragRam = Float64Array.from(ram);
    this.fragOut = Float64Array.from(out);
    this.maxFragments = maxF;

    this.latencyS = s.network.latencyS;
    this.bandwidthMBps = s.network.bandwidthMBps;
    this.failureRatePerS = s.failures.ratePerHostHour / 3600;
    this.onFailure = s.failures.onFailure;
    this.repairS = s.failures.repairS;
    this.maxPendingS = s.maxPendingS;
    this.admission = s.admission;
    this.hasForecast = s.hasForecast ?? false;
  }

  variantId(app: number, kind: VariantKind): number {
    const k = VARIANT_KINDS.indexOf(kind);
    if (k < 0 || app < 0 || app >= this.apps.length) return -1;
    const id = app * NKINDS + k;
    return this.variantOffered[id] === 1 ? id : -1;
  }

  /** Power of host h at utilisation u (exact interpolation of its curve). */
  power(h: number, u: number): number {
    const x = u * 10;
    let i = Math.floor(x);
    if (i > 9) i = 9;
    const base = h * 11 + i;
    const w0 = this.curves[base];
    return w0 + (this.curves[base + 1] - w0) * (x - i);
  }
}
