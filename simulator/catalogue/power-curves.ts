/**
 * SPECpower_ssj2008 power curves: watts at 0, 10, ..., 100 % CPU load (11 points).
 * Source: spec.org/power_ssj2008/results/ under the result ids given per curve
 * (checked values in the project's reference notes). Power between two points is linear
 * interpolation.
 *
 * `cores`: the server's CPU cores, as the reference notes give them with the server's processor
 * (used by the `vcpu-share` energy attribution). Where the notes name no core count the field is
 * absent and a scenario using `vcpu-share` must say it (`serverCores`); none is guessed.
 */
export interface PowerCurveSpec {
  name: string;
  watts: readonly number[];
  source: string;
  cores?: number;
}

export const POWER_CURVES: Readonly<Record<string, PowerCurveSpec>> = {
  "hp-ml110-g4": {
    name: "HP ProLiant ML110 G4 (Xeon 3040, 2 cores)",
    watts: [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117],
    source: "SPECpower power_ssj2008-20110127-00342",
    cores: 2,
  },
  "hp-ml110-g5": {
    name: "HP ProLiant ML110 G5 (Xeon 3075, 2 cores)",
    watts: [93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135],
    source: "SPECpower power_ssj2008-20110124-00339",
    cores: 2,
  },
  "ibm-x3250": {
    name: "IBM x3250 (Xeon X3470, 4 cores)",
    watts: [41.6, 46.7, 52.3, 57.9, 65.4, 73, 80.7, 89.5, 99.6, 105, 113],
    source: "SPECpower power_ssj2008-20091104-00213",
    cores: 4,
  },
  "ibm-x3550": {
    name: "IBM x3550 (2x Xeon X5670, 12 cores)",
    watts: [66, 107, 120, 131, 143, 156, 173, 191, 211, 229, 247],
    source: "SPECpower power_ssj2008-20100315-00239",
    cores: 12,
  },
  "ibm-x3200-m2": {
    name: "IBM System x3200 M2 (used for Azure B2s / B2ms hosts)",
    watts: [75.2, 78.2, 84.1, 89.6, 94.9, 100.0, 105.0, 109.0, 112.0, 115.0, 117.0],
    source: "SPECpower power_ssj2008-20110124-00340",
  },
  "ibm-x3350": {
    name: "IBM System x3350 (used for Azure B4ms hosts)",
    watts: [71.0, 77.9, 83.4, 89.2, 95.6, 102.0, 108.0, 114.0, 119.0, 123.0, 126.0],
    source: "SPECpower power_ssj2008-20080506-00052",
  },
  "huawei-rh2288h-v2": {
    name: "Huawei RH2288H V2 (used for Azure B8ms hosts)",
    watts: [68.7, 78.3, 84.0, 88.4, 92.5, 97.3, 104.0, 111.0, 121.0, 131.0, 137.0],
    source: "SPECpower power_ssj2008-20140408-00655",
  },
  "ibm-x3650-m2": {
    name: "IBM System x3650 M2 (2x Xeon X5570)",
    watts: [81.4, 110, 125, 139, 153, 167, 182, 199, 214, 229, 244],
    source: "SPECpower power_ssj2008-20141023-00677",
  },
  "raspberry-pi-3b": {
    name: "Raspberry Pi 3B",
    watts: [0.45, 0.78, 0.9, 1.03, 1.65, 1.66, 1.69, 1.71, 1.72, 1.74, 1.75],
    source: "Kaup et al., LCN 2014 (measured, not SPEC)",
  },
};
