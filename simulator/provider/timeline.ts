/**
 * The datacenter's totals as a step function of time: entry k holds the state from t[k] until
 * t[k + 1] (the last one until the end of the run). One entry per distinct event time, written
 * after all events at that time ran, so per-interval energy and utilisation are exact integrals.
 */
export class Timeline {
  t: Float64Array = new Float64Array(256);
  powerW: Float64Array = new Float64Array(256);
  usedMips: Float64Array = new Float64Array(256);
  onMips: Float64Array = new Float64Array(256);
  hostsOn: Float64Array = new Float64Array(256);
  length = 0;

  record(t: number, powerW: number, usedMips: number, onMips: number, hostsOn: number): void {
    let k = this.length - 1;
    if (k < 0 || this.t[k] !== t) {
      k = this.length++;
      if (k === this.t.length) this.grow();
    }
    this.t[k] = t;
    this.powerW[k] = powerW;
    this.usedMips[k] = usedMips;
    this.onMips[k] = onMips;
    this.hostsOn[k] = hostsOn;
  }

  private grow(): void {
    const g = (a: Float64Array): Float64Array => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.t = g(this.t);
    this.powerW = g(this.powerW);
    this.usedMips = g(this.usedMips);
    this.onMips = g(this.onMips);
    this.hostsOn = g(this.hostsOn);
  }
}
