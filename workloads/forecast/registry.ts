import { readSavedModel } from "./base.ts";
import { ConvformerForecaster } from "./convformer.ts";
import { HoltForecaster } from "./holt.ts";
import { HoltWintersForecaster } from "./holt-winters.ts";
import { LstmForecaster } from "./lstm.ts";
import { MovingAverageForecaster } from "./moving-average.ts";
import { NaiveForecaster } from "./naive.ts";
import { RidgeForecaster } from "./ridge.ts";
import { SeasonalNaiveForecaster } from "./seasonal-naive.ts";
import { SesForecaster } from "./ses.ts";
import type { Forecaster } from "./types.ts";

/** Every forecaster by its registry name, in report order (baselines first). */
export const FORECASTERS = {
  naive: (p: Record<string, unknown>) => new NaiveForecaster(p as Record<string, never>),
  "seasonal-naive": (p: Record<string, unknown>) => new SeasonalNaiveForecaster(p),
  "moving-average": (p: Record<string, unknown>) => new MovingAverageForecaster(p),
  ses: (p: Record<string, unknown>) => new SesForecaster(p),
  holt: (p: Record<string, unknown>) => new HoltForecaster(p),
  "holt-winters": (p: Record<string, unknown>) => new HoltWintersForecaster(p),
  ridge: (p: Record<string, unknown>) => new RidgeForecaster(p),
  lstm: (p: Record<string, unknown>) => new LstmForecaster(p),
  convformer: (p: Record<string, unknown>) => new ConvformerForecaster(p),
} as const;

export type ForecasterKind = keyof typeof FORECASTERS;
export const FORECASTER_KINDS = Object.keys(FORECASTERS) as ForecasterKind[];
export const NEURAL_KINDS: ForecasterKind[] = ["lstm", "convformer"];

export function isForecasterKind(name: string): name is ForecasterKind {
  return Object.hasOwn(FORECASTERS, name);
}

/** Builds a forecaster by name; unknown names list the known ones. */
export function createForecaster(kind: string, params: Record<string, unknown> = {}): Forecaster {
  if (!isForecasterKind(kind)) throw new Error(`unknown model "${kind}" (known: ${FORECASTER_KINDS.join(", ")})`);
  return FORECASTERS[kind](params);
}

/** Loads any saved forecaster directory (the kind is read from its model.json). */
export async function loadForecaster(dir: string): Promise<Forecaster> {
  const saved = readSavedModel(dir);
  switch (saved.kind) {
    case "naive":
      return NaiveForecaster.load(dir);
    case "seasonal-naive":
      return SeasonalNaiveForecaster.load(dir);
    case "moving-average":
      return MovingAverageForecaster.load(dir);
    case "ses":
      return SesForecaster.load(dir);
    case "holt":
      return HoltForecaster.load(dir);
    case "holt-winters":
      return HoltWintersForecaster.load(dir);
    case "ridge":
      return RidgeForecaster.load(dir);
    case "lstm":
      return LstmForecaster.load(dir);
    case "convformer":
      return ConvformerForecaster.load(dir);
    default:
      throw new Error(`model: ${dir} holds an unknown kind "${saved.kind}"`);
  }
}
