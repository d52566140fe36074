export { EventQueue } from "./event-queue.ts";
export { RandomStream, RandomStreams } from "./random.ts";
