import { InputError } from "../simulator/errors.ts";

/** A usage error: bad flag value, unknown name, refused directory. Printed without a stack trace, exit code 2. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
