import { nonEmptyField, numberField } from "./fields.ts";
import { forEachRow, rowError, splitComma, type RowPlace, type RowReadOptions } from "./rows.ts";

/** Azure Public Dataset V2 `vmtable.csv.gz` columns (no header in the file). */
export const AZURE_VM_TABLE_COLUMNS = [
  "vm_id", "subscription_id", "deployment_id", "vm_created", "vm_deleted",
  "max_cpu", "avg_cpu", "p95_max_cpu", "vm_category", "vm_core_count_bucket", "vm_memory_bucket",
] as const;

/** One VM of the Azure 2019 trace. */
export interface AzureVm {
  vmId: string;
  subscriptionId: string;
  deploymentId: string;
  /** seconds from the trace start */
  createdS: number;
  deletedS: number;
  /** CPU percentages over the VM's life */
  maxCpu: number;
  avgCpu: number;
  p95MaxCpu: number;
  /** "Interactive", "Delay-insensitive" or "Unkown" (sic, as in the dataset) */
  category: string;
  /** core count; the dataset's top bucket ">24" is read as its lower bound 24 */
  cores: number;
  /** memory in GB; the top bucket ">64" is read as 64 */
  memoryGb: number;
  /** true when cores / memoryGb came from an open ">" bucket */
  openBucket: boolean;
}

const BUCKET = /^(>?)(\d+(\.\d+)?)$/;

function bucketField(raw: string, at: RowPlace, column: string): { value: number; open: boolean } {
  const m = BUCKET.exec(raw);
  if (!m) throw rowError(at, column, `expected a number or ">N" bucket, got "${raw}"`);
  return { value: Number(m[2]), open: m[1] === ">" };
}

export async function readAzureVmTable(file: string, options: RowReadOptions = {}): Promise<{ vms: AzureVm[]; rows: number; skippedRows: number; skippedErrors: string[] }> {
  const vms: AzureVm[] = [];
  const report = await forEachRow(file, {
    split: splitComma,
    columns: AZURE_VM_TABLE_COLUMNS.length,
    row(f, at) {
      const c = AZURE_VM_TABLE_COLUMNS;
      const cores = bucketField(f[9], at, c[9]);
      const mem = bucketField(f[10], at, c[10]);
      vms.push({
        vmId: nonEmptyField(f[0], at, c[0]),
        subscriptionId: nonEmptyField(f[1], at, c[1]),
        deploymentId: nonEmptyField(f[2], at, c[2]),
        createdS: numberField(f[3], at, c[3]),
        deletedS: numberField(f[4], at, c[4]),
        maxCpu: numberField(f[5], at, c[5]),
        avgCpu: numberField(f[6], at, c[6]),
        p95MaxCpu: numberField(f[7], at, c[7]),
        category: nonEmptyField(f[8], at, c[8]),
        cores: cores.value,
        memoryGb: mem.value,
        openBucket: cores.open || mem.open,
      });
    },
  }, options);
  return { vms, ...report };
}
