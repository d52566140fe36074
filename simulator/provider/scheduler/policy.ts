import type { CloudletSchedulerName } from "../scenario.ts";

/**
 * How a VM shares its PEs among its cloudlets (CloudSim's CloudletScheduler). The datacenter
 * offers waiting cloudlets in arrival order (FIFO) and keeps the running ones; the scheduler
 * only answers three questions, in terms of the VM's PEs and the PEs its running cloudlets ask
 * for (`busyPes`).
 */
export interface CloudletScheduler {
  readonly name: CloudletSchedulerName;
  /** Why a cloudlet of `pes` PEs can never run on a VM of `vmPes` PEs, or null if it can. */
  cannotRun(pes: number, vmPes: number): string | null;
  /** Whether a cloudlet of `pes` PEs may start now. */
  canStart(pes: number, vmPes: number, busyPes: number): boolean;
  /** MIPS each PE of each running cloudlet gets (before the cloudlet's own utilisation). */
  mipsPerPe(vmPes: number, vmMips: number, busyPes: number): number;
}
