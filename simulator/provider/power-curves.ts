/**
 * SPECpower_ssj2008 power curves for the provider view: watts at 0 %, 10 %, ..., 100 % CPU load.
 * Source of every row: /work/shared/reference/hosts-power-prices.md (SPEC result ids below,
 * results at spec.org/power_ssj2008/results/).
 */
export const POWER_CURVES = {
  /** HP ProLiant ML110 G4 (Xeon 3040, 2 cores), power_ssj2008-20110127-00342 */
  "hp-ml110-g4": [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117],
  /** HP ProLiant ML110 G5 (Xeon 3075, 2 cores), power_ssj2008-20110124-00339 */
  "hp-ml110-g5": [93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135],
  /** IBM x3250 (Xeon X3470, 4 cores), power_ssj2008-20091104-00213 */
  "ibm-x3250": [41.6, 46.7, 52.3, 57.9, 65.4, 73, 80.7, 89.5, 99.6, 105, 113],
  /** IBM x3550 (2x Xeon X5670, 12 cores), power_ssj2008-20100315-00239 */
  "ibm-x3550": [66, 107, 120, 131, 143, 156, 173, 191, 211, 229, 247],
  /** IBM System x3200 M2, power_ssj2008-20110124-00340 */
  "ibm-x3200-m2": [75.2, 78.2, 84.1, 89.6, 94.9, 100.0, 105.0, 109.0, 112.0, 115.0, 117.0],
  /** IBM System x3350, power_ssj2008-20080506-00052 */
  "ibm-x3350": [71.0, 77.9, 83.4, 89.2, 95.6, 102.0, 108.0, 114.0, 119.0, 123.0, 126.0],
  /** Huawei RH2288H V2, power_ssj2008-20140408-00655 */
  "huawei-rh2288h-v2": [68.7, 78.3, 84.0, 88.4, 92.5, 97.3, 104.0, 111.0, 121.0, 131.0, 137.0],
  /** IBM System x3650 M2 (2x Xeon X5570), power_ssj2008-20141023-00677 */
  "ibm-x3650-m2": [81.4, 110, 125, 139, 153, 167, 182, 199, 214, 229, 244],
  /** Raspberry Pi 3B (Kaup et al., LCN 2014; not SPEC) */
  "raspberry-pi-3b": [0.45, 0.78, 0.9, 1.03, 1.65, 1.66, 1.69, 1.71, 1.72, 1.74, 1.75],
} as const satisfies Record<string, readonly number[]>;

export type PowerCurveName = keyof typeof POWER_CURVES;
export const POWER_CURVE_NAMES = Object.keys(POWER_CURVES) as [PowerCurveName, ...PowerCurveName[]];

/**
 * Default curve of a provider host: the IBM System x3650 M2 (2x Xeon X5570 = 8 cores). The
 * CloudSim-scale hosts have 8 PEs, so an 8-core dual-socket rack server is the closest match in
 * the table; it is also the newest (2014) general datacenter server result there, with a wide
 * idle-to-peak range (81.4 W to 244 W), so placement visibly changes energy.
 */
export const DEFAULT_PROVIDER_CURVE: PowerCurveName = "ibm-x3650-m2";

export const CURVE_POINTS = 11;

/**
 * Power in watts at utilisation u of the curve stored at `curves[offset .. offset + 10]`:
 * linear interpolation between the two neighbouring 10 % points. u must be in [0, 1].
 */
export function powerAt(curves: Float64Array, offset: number, u: number): number {
  if (!(u >= 0 && u <= 1)) throw new RangeError(`utilisation must be in [0, 1], got ${u}`);
  const x = u * 10;
  const i = x >= 10 ? 9 : Math.floor(x);
  const lo = curves[offset + i];
  return lo + (curves[offset + i + 1] - lo) * (x - i);
}
