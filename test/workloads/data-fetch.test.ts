// Data directory, catalogue and downloads, against a loopback HTTP server started by the test.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runDataCommand } from "../../src/commands/data.ts";
import { DATASETS, dataDir, datasetStatus, fetchDataset, findDataset, type FetchProgress } from "../../workloads/data.ts";
import { sharedDataDir } from "../helpers/data.ts";

const tmp = mkdtempSync(join(tmpdir(), "cotwin-data-"));
/** what the server answers per path: a file's bytes, or a status code */
const routes = new Map<string, Buffer | number>();
const requests: string[] = [];
let server: Server;
let base = "";

before(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").slice(1));
    requests.push(path);
    const r = routes.get(path);
    if (r instanceof Buffer) {
      res.writeHead(200, { "content-length": r.length });
      res.end(r);
    } else {
      res.writeHead(typeof r === "number" ? r : 404);
      res.end("no");
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(tmp, { recursive: true, force: true });
});

function leftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.includes(".part-"));
}

test("dataDir: COTWIN_DATA_DIR, then XDG_CACHE_HOME, then ~/.cache", () => {
  assert.equal(dataDir({ COTWIN_DATA_DIR: "/d", XDG_CACHE_HOME: "/c" }), "/d");
  assert.equal(dataDir({ XDG_CACHE_HOME: "/c" }), join("/c", "cotwin", "data"));
  assert.equal(dataDir({}), join(homedir(), ".cache", "cotwin", "data"));
});

test("catalogue: raw GitHub URLs for the README's sources; unknown names list the known ones", () => {
  assert.deepEqual(DATASETS.map((d) => d.name), ["google2019", "vm-load", "bitbrains", "azure-vm-2019", "azure-llm-2023"]);
  assert.equal(findDataset("azure-llm-2023").files[0].url, "https://raw.githubusercontent.com/Azure/AzurePublicDataset/master/data/AzureLLMInferenceTrace_code.csv");
  assert.equal(findDataset("bitbrains").files[0].url, "https://raw.githubusercontent.com/atlarge-research/opendc/master/opendc-trace/opendc-trace-api/src/test/resources/bitbrains/bitbrains.csv");
  assert.equal(findDataset("google2019").files.length, 6);
  assert.throws(() => findDataset("nope"), { message: 'unknown dataset "nope"; known datasets: google2019, vm-load, bitbrains, azure-vm-2019, azure-llm-2023' });
});

test("fetch: a 404 names the dataset, URL and status, and leaves nothing behind", async () => {
  const dir = join(tmp, "404");
  await assert.rejects(fetchDataset("vm-load", { baseUrl: base, dataDir: dir }), {
    message: `fetch vm-load: GET ${base}/vm-load/aa.txt failed: HTTP 404 Not Found`,
  });
  assert.equal(existsSync(join(dir, "vm-load", "aa.txt")), false);
  assert.deepEqual(leftovers(dir), []);
});

test("fetch: wrong size or wrong content is refused", async () => {
  const dir = join(tmp, "bad");
  routes.set("vm-load/aa.txt", Buffer.from("hello"));
  await assert.rejects(fetchDataset("vm-load", { baseUrl: `${base}/`, dataDir: dir }), {
    message: `fetch vm-load: ${base}/vm-load/aa.txt: expected 317478 bytes, got 5`,
  });
  routes.set("vm-load/aa.txt", Buffer.alloc(317478, 65));
  await assert.rejects(fetchDataset("vm-load", { baseUrl: base, dataDir: dir }), /fetch vm-load: .*aa\.txt: SHA-256 [0-9a-f]{64} does not match the catalogue's c8b7d99e/);
  assert.equal(existsSync(join(dir, "vm-load", "aa.txt")), false);
  assert.deepEqual(leftovers(dir), []);
  routes.delete("vm-load/aa.txt");
});

test("fetch: downloads, verifies, skips present files, --force downloads again", async (t) => {
  const shared = sharedDataDir();
  const ds = findDataset("azure-vm-2019");
  if (!shared || !ds.files.every((f) => existsSync(join(shared, f.path)))) {
    t.skip("data absent: run `npx cotwin data fetch azure-vm-2019`");
    return;
  }
  for (const f of ds.files) routes.set(f.path, readFileSync(join(shared, f.path)));
  const dir = join(tmp, "ok");
  const progress: FetchProgress[] = [];
  requests.length = 0;
  const r = await fetchDataset("azure-vm-2019", { baseUrl: base, dataDir: dir, onProgress: (p) => progress.push(p) });
  assert.deepEqual(r.files.map((f) => f.status), ["downloaded", "downloaded"]);
  for (const f of ds.files) assert.deepEqual(readFileSync(join(dir, f.path)), routes.get(f.path));
  assert.deepEqual(progress.at(-1), { dataset: "azure-vm-2019", file: "azure-vm-2019/vmtable.csv.gz", receivedBytes: 1423, totalBytes: 1423 });
  assert.equal((await datasetStatus("azure-vm-2019", dir)).present, true);
  const again = await fetchDataset("azure-vm-2019", { baseUrl: base, dataDir: dir });
  assert.deepEqual(again.files.map((f) => f.status), ["present", "present"]);
  assert.equal(requests.length, 2);
  await fetchDataset("azure-vm-2019", { baseUrl: base, dataDir: dir, force: true });
  assert.equal(requests.length, 4);
  assert.deepEqual(leftovers(dir), []);
});

test("cotwin data: list, dir, fetch and usage errors", async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
  const saved = process.env.COTWIN_DATA_DIR;
  const dir = join(tmp, "cli");
  process.env.COTWIN_DATA_DIR = dir;
  try {
    assert.equal(await runDataCommand(["dir"], io), 0);
    assert.equal(out.join(""), `${dir}\n`);
    out.length = 0;
    assert.equal(await runDataCommand(["list"], io), 0);
    const lines = out.join("").trimEnd().split("\n");
    assert.equal(lines[0], `data directory: ${dir}`);
    assert.equal(lines.length, 1 + DATASETS.length);
    assert.match(lines[2], new RegExp(`^  vm-load +absent +1 file\\(s\\) +317\\.5 kB  ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/vm-load$`));
    assert.equal(await runDataCommand(["fetch", "nope"], io), 2);
    assert.equal(err.pop(), "cotwin data: unknown dataset \"nope\"; known datasets: google2019, vm-load, bitbrains, azure-vm-2019, azure-llm-2023, or all\n");
    assert.equal(await runDataCommand(["fetch", "vm-load", "--base-url", base], io), 1);
    assert.equal(err.pop(), `cotwin data: fetch vm-load: GET ${base}/vm-load/aa.txt failed: HTTP 404 Not Found\n`);
    assert.equal(await runDataCommand(["frobnicate"], io), 2);
    assert.equal(await runDataCommand([], io), 2);
    assert.equal(err.pop(), "cotwin data: give a data command: list, dir, fetch or serverless\n");
  } finally {
    if (saved === undefined) delete process.env.COTWIN_DATA_DIR;
    else process.env.COTWIN_DATA_DIR = saved;
  }
});
