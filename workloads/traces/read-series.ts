import { basename } from "node:path";
import { readAzureVmCpu } from "./azure-vm-cpu.ts";
import { readBitbrains } from "./bitbrains.ts";
import { detectFormat } from "./detect.ts";
import { readGoogle2019Usage } from "./google2019.ts";
import { readPlainSeries } from "./plain.ts";
import { readServerless } from "./serverless.ts";
import type { RowReadOptions } from "./rows.ts";
import type { Series, SeriesOptions } from "./series.ts";
import { TraceFileError } from "./errors.ts";

export interface ReadSeriesOptions extends RowReadOptions, SeriesOptions {
  /** value column; each format has a CPU default (Google: avg_cpu_usage, Bitbrains: "CPU usage [%]", Azure: avg_cpu) */
  column?: string;
  /** Azure VM readings hold many VMs: which one (default the first in the file) */
  vm?: string;
}

/** Reads any supported utilisation trace as one regular series, detecting the format. */
export async function readSeries(file: string, options: ReadSeriesOptions = {}): Promise<Series> {
  const format = await detectFormat(file);
  switch (format) {
    case "google2019":
      return readGoogle2019Usage(file, options);
    case "bitbrains":
      return readBitbrains(file, options);
    case "plain":
      if (options.column !== undefined) throw new TraceFileError(`${basename(file)}: a plain series has a single value column; do not pass column`);
      return readPlainSeries(file, options);
    case "azure-vm-cpu": {
      const all = await readAzureVmCpu(file, options);
      const vm = options.vm ?? all.vmIds[0];
      const s = vm === undefined ? undefined : all.series.get(vm);
      if (!s) throw new TraceFileError(`${basename(file)}: ${vm === undefined ? "no rows" : `no readings for VM "${vm}"`}`);
      return s;
    }
    case "azure-vm-table":
      throw new TraceFileError(`${basename(file)}: a VM table is not a time series; use readAzureVmTable`);
    case "serverless":
      return readServerless(file, options);
    case "azure-llm":
      throw new TraceFileError(`${basename(file)}: an LLM request trace is not a utilisation series; use readAzureLlmArrivals`);
  }
}
