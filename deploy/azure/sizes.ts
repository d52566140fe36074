/**
 * Fallback sizes. When Azure cannot give a size (SkuNotAvailable, an allocation failure) or the
 * subscription's quota for its family is spent, the host gets the cheapest catalogue size that
 * fits it (at least its vCPUs and RAM), within the price limit, that has not failed recently.
 * Failures are remembered for a while (an hour, as Karpenter's Azure provider does for
 * unavailable offerings): a size, or for quota a whole family.
 */
import { HOST_SIZES, type HostSizeSpec } from "../../simulator/catalogue/host-sizes.ts";

/**
 * The vCPU quota family of a size, as Azure names them (standardBSFamily, standardDSv5Family):
 * the series letter, S for premium-storage sizes, the version. Standard_B2ms -> BS,
 * Standard_D4s_v5 -> DSV5, Standard_F2s_v2 -> FSV2.
 */
export function sizeFamily(size: string): string {
  const m = /^Standard_([A-Z]+)\d+([a-z]*)(?:_(v\d+))?$/.exec(size);
  if (!m) return size;
  return `${m[1]}${m[2].includes("s") ? "S" : ""}${(m[3] ?? "").toUpperCase()}`;
}

export class UnavailableSizes {
  private readonly sizes = new Map<string, number>();
  private readonly families = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 3600_000,
  ) {}

  markSize(size: string): void {
    this.sizes.set(size, this.now() + this.ttlMs);
  }

  markFamily(size: string): void {
    this.families.set(sizeFamily(size), this.now() + this.ttlMs);
  }

  isUnavailable(size: string): boolean {
    const t = this.now();
    const a = this.sizes.get(size);
    const b = this.families.get(sizeFamily(size));
    return (a !== undefined && a > t) || (b !== undefined && b > t);
  }
}

/**
 * Sizes to try for a host of `want`, best first: the size itself (if available), then catalogue
 * sizes with at least its vCPUs and RAM, cheapest first, at most `maxPricePerHour`.
 */
export function candidateSizes(want: string, unavailable: UnavailableSizes, maxPricePerHour = Infinity, catalogue: Readonly<Record<string, HostSizeSpec>> = HOST_SIZES): string[] {
  const base = catalogue[want];
  const out: string[] = [];
  if (!unavailable.isUnavailable(want)) out.push(want);
  if (!base) return out;
  const others = Object.values(catalogue)
    .filter((s) => s.name !== want && s.vcpus >= base.vcpus && s.ramMB >= base.ramMB && s.pricePerHour <= maxPricePerHour && !unavailable.isUnavailable(s.name))
    .sort((a, b) => a.pricePerHour - b.pricePerHour || a.vcpus - b.vcpus || a.name.localeCompare(b.name));
  for (const s of others) out.push(s.name);
  return out;
}
