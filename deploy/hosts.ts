/**
 * The host slots a target manages, taken from the scenario as written (before any calibration,
 * which may rename sizes): slot h is the twin's host h, with its catalogue size and price.
 */
import type { TwinModel } from "../simulator/model.ts";

export interface HostSlot {
  host: number;
  /** the twin's host name, e.g. b2s-3 */
  name: string;
  /** catalogue size, e.g. Standard_B2s */
  size: string;
  vcpus: number;
  ramMB: number;
  pricePerHour: number;
}

export function hostSlots(model: TwinModel): HostSlot[] {
  const out: HostSlot[] = [];
  for (let h = 0; h < model.hostCount; h++) {
    out.push({
      host: h,
      name: model.hostNames[h],
      size: model.sizeNames[model.hostSize[h]],
      vcpus: model.vcpus[h],
      ramMB: model.ramMB[h],
      pricePerHour: model.pricePerHour[h],
    });
  }
  return out;
}

/** Cost per hour of the hosts that are allocated. */
export function costPerHour(hosts: ReadonlyArray<{ pricePerHour: number; phase: string }>): number {
  let s = 0;
  for (const h of hosts) if (h.phase !== "off") s += h.pricePerHour;
  return s;
}
