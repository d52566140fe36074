/**
 * Azure VM sizes as cotwin hosts. Each row keeps its sources; prices carry their capture date.
 *
 * - vCPUs, RAM, pay-as-you-go price (Linux, East US, USD/h), B-series base CPU and credit bank:
 *   Azure's published size tables and third-party price tables that agree with them, captured
 *   2025 (refreshable from the Azure Retail Prices API: armSkuName, retailPrice, "1 Hour",
 *   "Consumption"). Azure bills per second while a VM is allocated.
 * - MIPS per vCPU: about 4,028 MIPS per 2-vCPU B2s/B2ms VM measured with sysbench in a published
 *   Azure testbed (SciNet); the same per-vCPU figure is ASSUMED for the other sizes.
 * - Power curve: SPECpower servers that COSCO/SciNet map B-series sizes onto (B2s/B2ms -> IBM x3200
 *   M2, B4ms -> IBM x3350, B8ms -> Huawei RH2288H V2). For sizes without a published mapping
 *   (B1*, D, E, F) the curve of the B-size with the same vCPU count is ASSUMED; 16 vCPUs -> IBM
 *   x3650 M2.
 * - Boot delay: ASSUMED 60 s from start request to a running VM (a scenario can override it).
 * - Initial CPU credits of a B-series VM: ASSUMED one hour of banking (creditsPerHour); a scenario
 *   can override it with `initialCredits`.
 */
export interface HostSizeSpec {
  name: string;
  vcpus: number;
  ramMB: number;
  mipsPerVcpu: number;
  pricePerHour: number;
  powerCurve: string;
  bootS: number;
  /** B-series credit bucket; absent for sizes without CPU credits */
  credits?: { basePercent: number; creditsPerHour: number; maxBanked: number };
}

const MIPS_PER_VCPU = 4028 / 2;
const GiB = 1024;
const PRICE_SOURCE = "Azure pay-as-you-go, Linux, East US, captured 2025";

export const HOST_SIZE_SOURCES = {
  prices: PRICE_SOURCE,
  mips: "SciNet testbed: ~4,028 MIPS per 2-vCPU B2s/B2ms VM (sysbench)",
};

function size(
  name: string,
  vcpus: number,
  ramGiB: number,
  pricePerHour: number,
  powerCurve: string,
  credits?: HostSizeSpec["credits"],
): HostSizeSpec {
  return { name, vcpus, ramMB: ramGiB * GiB, mipsPerVcpu: MIPS_PER_VCPU, pricePerHour, powerCurve, bootS: 60, credits };
}

export const HOST_SIZES: Readonly<Record<string, HostSizeSpec>> = Object.fromEntries(
  [
    size("Standard_B1s", 1, 1, 0.0104, "ibm-x3200-m2", { basePercent: 10, creditsPerHour: 6, maxBanked: 144 }),
    size("Standard_B1ms", 1, 2, 0.0207, "ibm-x3200-m2", { basePercent: 20, creditsPerHour: 12, maxBanked: 288 }),
    size("Standard_B2s", 2, 4, 0.0416, "ibm-x3200-m2", { basePercent: 20, creditsPerHour: 24, maxBanked: 576 }),
    size("Standard_B2ms", 2, 8, 0.0832, "ibm-x3200-m2", { basePercent: 30, creditsPerHour: 36, maxBanked: 864 }),
    size("Standard_B4ms", 4, 16, 0.166, "ibm-x3350", { basePercent: 22.5, creditsPerHour: 54, maxBanked: 1296 }),
    size("Standard_B8ms", 8, 32, 0.333, "huawei-rh2288h-v2", { basePercent: 17, creditsPerHour: 81, maxBanked: 1944 }),
    size("Standard_D2s_v5", 2, 8, 0.096, "ibm-x3200-m2"),
    size("Standard_D4s_v5", 4, 16, 0.192, "ibm-x3350"),
    size("Standard_D8s_v5", 8, 32, 0.384, "huawei-rh2288h-v2"),
    size("Standard_D16s_v5", 16, 64, 0.768, "ibm-x3650-m2"),
    size("Standard_E2s_v5", 2, 16, 0.126, "ibm-x3200-m2"),
    size("Standard_F2s_v2", 2, 4, 0.0846, "ibm-x3200-m2"),
  ].map((s) => [s.name, s]),
);
