import type { CloudletSchedulerName } from "../scenario.ts";
import type { CloudletScheduler } from "./policy.ts";
import { spaceShared } from "./space-shared.ts";
import { timeShared } from "./time-shared.ts";

export type { CloudletScheduler } from "./policy.ts";

export const cloudletSchedulers: Record<CloudletSchedulerName, CloudletScheduler> = {
  "space-shared": spaceShared,
  "time-shared": timeShared,
};
