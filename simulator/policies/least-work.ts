import type { PlacementPart, PlacementState } from "./parts.ts";

/**
 * Least outstanding work: the host where the fragment would finish first, judged by the work the
 * hosts hold (the policy's own account of the work it placed, work-tracker.ts), as load balancers
 * that route by outstanding work do. Fragments per vCPU (least-loaded) cannot tell two compressed
 * mobilenets from two full resnext50s; under heavy load the difference is whether a request waits
 * behind seconds or behind minutes of work.
 *
 * A fragment of w MI on a host of v vCPUs x m MIPS holding R MI is estimated to finish after
 * max(w / m, (w + R) / (v m)) s: at full speed on a vCPU of its own, or later when the host's work
 * (its own included) keeps every vCPU busy past that. Hosts where it would run at full speed tie,
 * and ties go as in least-loaded: fewer fragments per vCPU, more CPU credits left, then the lower
 * number. Like every placement rule it tries the hosts with a free vCPU first, then any with the
 * RAM. Without an account or the fragment's work it is least-loaded.
 */
export class LeastWork implements PlacementPart {
  readonly name = "least-work";
  pick(s: PlacementState, ramMB: number, mi = 0): number {
    const x = s.obs.hosts;
    const v = x.vcpus;
    const credits = x.credits;
    const work = s.remainingMI;
    for (let pass = 0; pass < 2; pass++) {
      let best = -1;
      let bestFinish = Infinity;
      let bestLoad = Infinity;
      let bestLeft = -Infinity;
      for (let h = 0; h < x.count; h++) {
        if (s.usable[h] !== 1 || s.ramFree[h] < ramMB) continue;
        if (pass === 0 && s.placed[h] >= v[h]) continue;
        const mips = x.mipsPerVcpu[h];
        const finish = work ? Math.max(mi / mips, (mi + work[h]) / (v[h] * mips)) : 0;
        const load = s.placed[h] / v[h];
        const left = credits[h] === credits[h] ? credits[h] : Infinity;
        if (best < 0 || finish < bestFinish || (finish === bestFinish && (load < bestLoad || (load === bestLoad && left > bestLeft)))) {
          best = h;
          bestFinish = finish;
          bestLoad = load;
          bestLeft = left;
        }
      }
      if (best >= 0) return best;
    }
    return -1;
  }
  clone(): LeastWork {
    return this;
  }
}
