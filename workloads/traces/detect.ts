import { basename } from "node:path";
import { firstLine } from "./lines.ts";
import type { TraceFormat } from "./series.ts";
import { TraceFileError } from "./errors.ts";

/**
 * Which reader a file needs: from the header when the format has one, from the file name for the
 * headerless Azure VM files, and from the line's shape as a last resort.
 */
export async function detectFormat(file: string): Promise<TraceFormat> {
  const name = basename(file).toLowerCase();
  const line = await firstLine(file);
  if (line.startsWith("time,unique_id,")) return "google2019";
  if (/^Timestamp \[ms\]\s*;/.test(line)) return "bitbrains";
  if (line.startsWith("TIMESTAMP,ContextTokens,GeneratedTokens")) return "azure-llm";
  if (line.startsWith("FunctionID,Timestamp,")) return "serverless";
  if (name.includes("vm_cpu_readings")) return "azure-vm-cpu";
  if (name.includes("vmtable")) return "azure-vm-table";
  const commas = line.split(",").length;
  const tabs = line.split("\t").length;
  if (tabs === 2 || (tabs === 1 && commas === 2)) return "plain";
  if (commas === 5) return "azure-vm-cpu";
  if (commas === 11) return "azure-vm-table";
  throw new TraceFileError(`${basename(file)}: cannot tell the trace format from its name or first line ("${line.slice(0, 80)}")`);
}
