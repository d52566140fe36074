import { InputError } from "../../simulator/errors.ts";

/**
 * Bad input to forecasting (a model directory that is not a valid model, data that cannot be
 * forecast): the message names the file or flag; commands print it alone with exit code 2.
 */
export class ForecastInputError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "ForecastInputError";
  }
}
