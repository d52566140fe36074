/** Runs the command line in-process and captures what it prints (through src/io.ts). */
import { main } from "../../src/cli.ts";
import { io } from "../../src/io.ts";

export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const { out, err } = io;
  io.out = (s) => {
    stdout += s;
  };
  io.err = (s) => {
    stderr += s;
  };
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    io.out = out;
    io.err = err;
  }
}
