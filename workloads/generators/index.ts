export { PoissonArrivals, poissonOptionsSchema, type PoissonOptions } from "./poisson.ts";
export { DiurnalArrivals, diurnalOptionsSchema, type DiurnalOptions } from "./diurnal.ts";
export { BurstyArrivals, burstyOptionsSchema, mmppLongRunRate, type BurstyOptions } from "./bursty.ts";
export { requestMarksSchema, sizeDistributionSchema, drawSize, type RequestMarks, type SizeDistribution } from "./marks.ts";
export { traceArrivals, type TraceArrivalsOptions } from "./trace.ts";
export { demandArrivals, type DemandArrivalsOptions, type DemandSeries } from "./demand.ts";
export {
  generateServerlessData, serverlessCsv, SERVERLESS_COLUMNS,
  type ServerlessOptions, type ServerlessFunctionSpec, type ServerlessRow, type ServerlessData, type ServerlessFunctionStats,
} from "./serverless.ts";
export { MinMaxScaler, OneHotEncoder, hourOfDayFeatures, preprocessServerless, matrixFromRows, type Matrix, type PreparedServerless } from "./preprocess.ts";
