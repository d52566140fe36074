import { InputError } from "../../simulator/errors.ts";

/** A trace file that cannot be read as its format: wrong header, empty, corrupt gzip, unknown column. */
export class TraceFileError extends InputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TraceFileError";
  }
}
