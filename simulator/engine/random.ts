import seedrandom from "seedrandom";

type AleaState = seedrandom.State.Alea;

/**
 * A seeded random stream (seedrandom's Alea generator). Each purpose in a simulation gets its own
 * stream derived from the run seed and the purpose's name, so adding a draw in one place does not
 * shift the draws anywhere else. Streams can be cloned exactly (for the twin's fork()).
 */
export class RandomStream {
  private rng: seedrandom.StatefulPRNG<AleaState>;

  constructor(seed: string, state?: AleaState) {
    this.rng = state
      ? seedrandom.alea("", { state })
      : seedrandom.alea(seed, { state: true });
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.rng();
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rng();
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng() * (hi - lo + 1));
  }

  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number {
    // 1 - u is in (0, 1], so the log is finite.
    return -Math.log(1 - this.rng()) / rate;
  }

  /** Normal via Box-Muller (one value per call; deterministic, two uniforms per draw). */
  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.rng();
    const u2 = this.rng();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Poisson-distributed count (Knuth for small means, normal approximation above 60). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 60) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.rng();
    while (p > limit) {
      k++;
      p *= this.rng();
    }
    return k;
  }

  /** Index drawn with probability proportional to weights. */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let r = this.rng() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  state(): AleaState {
    return this.rng.state();
  }

  clone(): RandomStream {
    return new RandomStream("", this.rng.state());
  }
}

/** Derives named, independent streams from one run seed. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();
  constructor(readonly seed: number | string) {}

  get(purpose: string): RandomStream {
    let s = this.streams.get(purpose);
    if (!s) {
      s = new RandomStream(`cotwin:${this.seed}:${purpose}`);
      this.streams.set(purpose, s);
    }
    return s;
  }

  clone(): RandomStreams {
    const c = new RandomStreams(this.seed);
    for (const [k, v] of this.streams) c.streams.set(k, v.clone());
    return c;
  }

  /** A copy whose streams are re-seeded with a salt (independent futures for averaged forks). */
  reseeded(salt: string | number): RandomStreams {
    return new RandomStreams(`${this.seed}/${salt}`);
  }
}
