/**
 * An Azure target wired to a fake Resource Manager for the tests: the real SDK-based target with
 * only the endpoint and credential replaced, short timeouts, no polling delay, and every host's
 * worker answering at one in-process worker (the fake's public IPs are 127.0.0.1).
 */
import path from "node:path";
import { RandomStream } from "../../simulator/engine/random.ts";
import { validateTenantScenario, type TenantScenario } from "../../simulator/scenario.ts";
import { buildTwinModel } from "../../simulator/scenarios.ts";
import { armClients } from "../../deploy/azure/arm.ts";
import { customData } from "../../deploy/azure/cloud-init.ts";
import { AzureTarget, type AzureTargetOptions } from "../../deploy/azure/target.ts";
import { realClock, TimeAxis, type Clock } from "../../deploy/clock.ts";
import { hostSlots } from "../../deploy/hosts.ts";
import { Journal } from "../../deploy/journal.ts";

export const TEST_TOKEN = "test-deployment-token-0123456789abcdef";
export const RG = "rg-test";
export const FAKE_ARM_TOKEN = "fake-arm-token";

export function azureScenario(hosts: number, size = "Standard_B1ms", initial: "on" | "off" = "off", rate = 0): TenantScenario {
  return validateTenantScenario(
    {
      name: "azure-faults",
      intervalS: 0.5,
      intervals: 4,
      hosts: [{ size, count: hosts, initial, bootS: 0.2 }],
      applications: { variants: ["full"], custom: [{ name: "tiny", variants: [{ kind: "full", accuracy: 0.7, fragments: [{ mi: 20, ramMB: 50, outMB: 0.001 }] }] }] },
      workload: { kind: "poisson", ratePerInterval: rate },
    },
    "azure test scenario",
  );
}

/** A clock that records the waits asked of it (to check Retry-After) and otherwise is the real one. */
export class RecordingClock implements Clock {
  waits: number[] = [];
  now = () => realClock.now();
  epochMs = () => realClock.epochMs();
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.waits.push(ms);
    await realClock.sleep(ms, signal);
  }
}

export interface TestTargetSpec {
  fakeUrl: string;
  subscription: string;
  journalFile: string;
  workerPort: number;
  scenario: TenantScenario;
  deployment?: string;
  clock?: Clock;
  tuning?: Partial<AzureTargetOptions>;
}

export function testTarget(s: TestTargetSpec): { target: AzureTarget; journal: Journal; axis: TimeAxis; clock: Clock } {
  const model = buildTwinModel(s.scenario, "test");
  const clock = s.clock ?? realClock;
  const axis = new TimeAxis(clock);
  const journal = new Journal(s.journalFile);
  const bundle = { files: new Map([["deploy/testbed/worker.js", "// the bundled worker\n"]]), entry: "deploy/testbed/worker.js" };
  const target = new AzureTarget({
    arm: armClients({ subscriptionId: s.subscription, credential: { getToken: async () => ({ token: FAKE_ARM_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }) }, endpoint: s.fakeUrl }),
    resourceGroup: RG,
    location: "eastus",
    deployment: s.deployment ?? "t1",
    slots: hostSlots(model),
    model,
    token: TEST_TOKEN,
    axis,
    journal,
    rng: new RandomStream("azure-test"),
    controllerAddress: "203.0.113.7/32",
    extraTags: { costCenter: "cc-42" },
    customData: (host, vcpus) => customData({ bundle, token: TEST_TOKEN, host, vcpus, port: 8790, onnxruntimeVersion: "1.30.0", onnxProtoVersion: "8.0.1" }),
    workerAddress: () => ({ address: "127.0.0.1", port: s.workerPort }),
    pollMs: 0,
    armObserveEveryMs: 0,
    gcEveryMs: 0,
    gcGraceMs: 0,
    provisionTimeoutMs: 3000,
    recheckMs: 1500,
    recheckEveryMs: 20,
    workerReadyTimeoutMs: 5000,
    drainMs: 200,
    retry: { attempts: 5, baseMs: 20, maxMs: 200, maxRetryAfterMs: 5000 },
    ...s.tuning,
  });
  return { target, journal, axis, clock };
}

export function journalPath(dir: string): string {
  return path.join(dir, "journal.jsonl");
}
