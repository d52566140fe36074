/**
 * The dry run: prints the plan of actions each interval and the cost per hour of the hosts it
 * would leave allocated, and calls nothing. Hosts take the state asked for at once, so the twin
 * is never corrected; requests are not sent anywhere (nothing is measured).
 */
import type { HostSlot } from "./hosts.ts";
import { costPerHour } from "./hosts.ts";
import type { ActionOutcome, HostPhase, RunningHost, Target, TargetObservation, TargetPlan } from "./types.ts";

export class DryRunTarget implements Target {
  readonly kind = "dry-run";
  private readonly phase: HostPhase[];
  private outcomes: ActionOutcome[] = [];

  constructor(
    private readonly slots: HostSlot[],
    private readonly print: (line: string) => void,
    /** the interval now (decisions may come several times per interval when dispatching on arrival) */
    private readonly interval: () => number,
  ) {
    this.phase = slots.map(() => "off");
  }

  async open(initialOn: number[]): Promise<void> {
    for (const h of initialOn) this.phase[h] = "on";
    this.print(`plan: ${initialOn.length} host(s) on at the start (${this.fleet()})`);
  }

  private fleet(): string {
    const on = this.slots.filter((_, h) => this.phase[h] !== "off");
    const usd = costPerHour(on.map((s) => ({ pricePerHour: s.pricePerHour, phase: "on" })));
    return `${on.length} allocated, ${usd.toFixed(4)} USD/h`;
  }

  async observe(): Promise<TargetObservation> {
    const hosts = this.slots.map((s, h) => ({ host: h, phase: this.phase[h], size: s.size, pricePerHour: s.pricePerHour, vcpus: s.vcpus, cpuS: 0, billedS: 0, busy: false }));
    const out = { hosts, requests: [], actions: this.outcomes, events: [] };
    this.outcomes = [];
    return out;
  }

  async apply(plan: TargetPlan): Promise<void> {
    const k = this.interval();
    const lines: string[] = [];
    for (const p of plan.provision) {
      const s = this.slots[p.host];
      const was = this.phase[p.host];
      if (p.action === "start" && was === "off") {
        this.phase[p.host] = "on";
        lines.push(`start ${s.name} (${s.size}, +${s.pricePerHour} USD/h)`);
      } else if (p.action === "stop" && was !== "off") {
        this.phase[p.host] = "off";
        lines.push(`deallocate ${s.name} (${s.size}, -${s.pricePerHour} USD/h)`);
      } else continue;
      this.outcomes.push({ host: p.host, action: p.action, outcome: "applied", retries: 0 });
    }
    if (plan.deploy.length > 0) lines.push(`${plan.deploy.length} request(s) deployed`);
    if (lines.length > 0) this.print(`interval ${k}: ${lines.join("; ")}; ${this.fleet()}`);
  }

  async running(): Promise<RunningHost[]> {
    return [];
  }

  async drain(): Promise<void> {}
  async close(): Promise<void> {}
}
