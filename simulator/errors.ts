/**
 * Bad input (a file, a key, a flag, a size): the command line prints the message alone and exits
 * with code 2. Errors of every floor extend it (or are listed by name in src/errors.ts), so one
 * handler tells a user's mistake from a fault of cotwin's own.
 */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InputError";
  }
}
