import type { CloudletScheduler } from "./policy.ts";

/**
 * Time shared (CloudSim CloudletSchedulerTimeShared): every cloudlet starts on arrival and the
 * VM's capacity is shared by processor sharing. While the running cloudlets ask for no more PEs
 * than the VM has, each PE runs at the VM's MIPS; beyond that each cloudlet PE gets
 * vmMips * vmPes / busyPes (so a 5-PE cloudlet alone on a 4-PE VM runs at 4/5 speed, as in
 * CloudSim Plus).
 */
export const timeShared: CloudletScheduler = {
  name: "time-shared",
  cannotRun() {
    return null;
  },
  canStart() {
    return true;
  },
  mipsPerPe(vmPes, vmMips, busyPes) {
    return busyPes <= vmPes ? vmMips : (vmMips * vmPes) / busyPes;
  },
};
