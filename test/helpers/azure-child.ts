/**
 * A controller the crash test kills: it opens an Azure target against the test's fake Resource
 * Manager and starts host 0. argv: fake URL, subscription, journal file, worker port.
 */
import { azureScenario, testTarget } from "./azure.ts";

const [fakeUrl, subscription, journalFile, port] = process.argv.slice(2);
const { target } = testTarget({ fakeUrl, subscription, journalFile, workerPort: Number(port), scenario: azureScenario(2), tuning: { provisionTimeoutMs: 60_000 } });
process.send?.({ started: true });
await target.open([0]);
process.send?.({ opened: true });
