import { basename } from "node:path";
import { checkIncreasing, nonEmptyField, numberField } from "./fields.ts";
import { forEachRow, splitComma, type RowReadOptions } from "./rows.ts";
import { findColumn, finishSeries, SeriesPoints, type Series, type SeriesOptions } from "./series.ts";
import { TraceFileError } from "./errors.ts";

/** Azure Public Dataset V2 `vm_cpu_readings-*.csv.gz` has no header; these are its documented columns. */
export const AZURE_VM_CPU_COLUMNS = ["timestamp", "vm_id", "min_cpu", "max_cpu", "avg_cpu"] as const;
export const AZURE_VM_CPU_DEFAULT_COLUMN = "avg_cpu";
/** readings are 5-minute aggregates */
export const AZURE_VM_STEP_S = 300;

export interface AzureVmCpuOptions extends RowReadOptions, SeriesOptions {
  /** min_cpu, max_cpu or avg_cpu (percent of the VM's cores); default avg_cpu */
  column?: string;
}

export interface AzureVmCpuReadings {
  /** VM ids in order of first appearance */
  vmIds: string[];
  /** one series per VM; times in seconds from the trace start */
  series: Map<string, Series>;
  rows: number;
  skippedRows: number;
  skippedErrors: string[];
}

/**
 * Reads a CPU readings file of the Azure VM trace 2019 (gzipped or not): rows of many VMs are
 * interleaved, so the result is one 300 s series per VM. Each VM's times must increase.
 */
export async function readAzureVmCpu(file: string, options: AzureVmCpuOptions = {}): Promise<AzureVmCpuReadings> {
  const column = findColumn(AZURE_VM_CPU_COLUMNS, options.column ?? AZURE_VM_CPU_DEFAULT_COLUMN, file);
  if (column < 2) throw new TraceFileError(`${basename(file)}: column "${AZURE_VM_CPU_COLUMNS[column]}" is not a CPU value`);
  const byVm = new Map<string, SeriesPoints>();
  const report = await forEachRow(file, {
    split: splitComma,
    columns: AZURE_VM_CPU_COLUMNS.length,
    row(f, at) {
      const t = numberField(f[0], at, "timestamp");
      const vm = nonEmptyField(f[1], at, "vm_id");
      const v = [numberField(f[2], at, "min_cpu"), numberField(f[3], at, "max_cpu"), numberField(f[4], at, "avg_cpu")];
      const points = byVm.get(vm);
      checkIncreasing(t, points ? points.lastTime : Number.NEGATIVE_INFINITY, at, "timestamp", f[0]);
      if (points) points.push(t, v[column - 2]);
      else {
        const p = new SeriesPoints();
        p.push(t, v[column - 2]);
        byVm.set(vm, p);
      }
    },
  }, options);
  const series = new Map<string, Series>();
  for (const [vm, points] of byVm) {
    // Per-VM skip counts are unknowable (a bad row may not even have a VM id): report them on the file.
    series.set(vm, finishSeries(points, { file, format: "azure-vm-cpu", column: AZURE_VM_CPU_COLUMNS[column], stepS: AZURE_VM_STEP_S },
      { rows: points.times.length, skippedRows: report.skippedRows, skippedErrors: report.skippedErrors }, options));
  }
  return { vmIds: [...byVm.keys()], series, ...report };
}
