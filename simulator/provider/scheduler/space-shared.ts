import type { CloudletScheduler } from "./policy.ts";

/**
 * Space shared (CloudSim CloudletSchedulerSpaceShared): a running cloudlet owns its PEs at the
 * VM's full per-PE MIPS; a cloudlet that does not find enough free PEs waits. Waiting is strict
 * FIFO (a later, smaller cloudlet does not overtake the head of the queue), and a cloudlet that
 * needs more PEs than the VM has is rejected rather than left waiting forever.
 */
export const spaceShared: CloudletScheduler = {
  name: "space-shared",
  cannotRun(pes, vmPes) {
    return pes > vmPes ? "cloudlet needs more PEs than its vm" : null;
  },
  canStart(pes, vmPes, busyPes) {
    return busyPes + pes <= vmPes;
  },
  mipsPerPe(_vmPes, vmMips) {
    return vmMips;
  },
};
