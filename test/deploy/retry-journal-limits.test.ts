/**
 * The loop's safety pieces on their own: retries (backoff with jitter, Retry-After honoured),
 * the journal (append-only, torn last line cut, consistency), spending limits, fallback sizes
 * and ownership tags. Expected values are worked out by hand from the rules.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { RandomStream } from "../../simulator/engine/random.ts";
import { JumpClock } from "../../deploy/clock.ts";
import { Journal, JournalError } from "../../deploy/journal.ts";
import { admitStarts, checkInitial, LimitError } from "../../deploy/limits.ts";
import { backoffMs, parseRetryAfter, RetriesExhausted, withRetry } from "../../deploy/retry.ts";
import { candidateSizes, sizeFamily, UnavailableSizes } from "../../deploy/azure/sizes.ts";
import { createdAt, deploymentNameProblem, extraTagsProblem, isOurs, names, ownedTags } from "../../deploy/azure/naming.ts";
import { armError } from "../../deploy/azure/errors.ts";

class RecordingClock extends JumpClock {
  waits: number[] = [];
  override async sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    await super.sleep(ms);
  }
}

test("Retry-After is read as seconds or as an HTTP date", () => {
  assert.equal(parseRetryAfter("7", 0), 7000);
  assert.equal(parseRetryAfter("0.5", 0), 500);
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
  assert.equal(parseRetryAfter("soon", 0), undefined);
});

test("backoff doubles from the base with half of it random, and never waits less than Retry-After", () => {
  const s = { attempts: 6, baseMs: 100, maxMs: 1000, maxRetryAfterMs: 10_000 };
  const rng = new RandomStream("t");
  for (let i = 0; i < 200; i++) {
    // retry n: exp = min(1000, 100 * 2^(n-1)); wait in [exp/2, exp]
    for (const [n, exp] of [[1, 100], [2, 200], [3, 400], [5, 1000], [9, 1000]] as const) {
      const w = backoffMs(n, s, rng);
      assert.ok(w >= exp / 2 && w <= exp, `retry ${n}: ${w} not in [${exp / 2}, ${exp}]`);
    }
  }
  assert.ok(backoffMs(1, s, rng, 5000) === 5000, "Retry-After above the backoff wins");
  assert.ok(backoffMs(4, s, rng, 10) >= 400, "a short Retry-After does not shorten the backoff");
});

test("withRetry retries what is retryable, waits as told, and stops at the attempt limit", async () => {
  const clock = new RecordingClock();
  let calls = 0;
  const v = await withRetry(
    async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error("throttled"), { retryAfterMs: 2000 });
      return "ok";
    },
    { settings: { attempts: 5, baseMs: 10, maxMs: 100, maxRetryAfterMs: 60_000 }, rng: new RandomStream("r"), clock, classify: (e) => ({ retry: true, retryAfterMs: (e as { retryAfterMs: number }).retryAfterMs }) },
  );
  assert.equal(v, "ok");
  assert.equal(calls, 3);
  assert.deepEqual(clock.waits, [2000, 2000]);

  let n = 0;
  await assert.rejects(
    withRetry(
      async () => {
        n++;
        throw new Error("500");
      },
      { settings: { attempts: 4, baseMs: 1, maxMs: 1, maxRetryAfterMs: 1 }, rng: new RandomStream("r"), clock: new JumpClock(), classify: () => ({ retry: true }) },
    ),
    (e: unknown) => e instanceof RetriesExhausted && e.retries === 3,
  );
  assert.equal(n, 4);
  let m = 0;
  await assert.rejects(
    withRetry(
      async () => {
        m++;
        throw new Error("403");
      },
      { settings: { attempts: 4, baseMs: 1, maxMs: 1, maxRetryAfterMs: 1 }, rng: new RandomStream("r"), clock: new JumpClock(), classify: () => ({ retry: false }) },
    ),
    /403/,
  );
  assert.equal(m, 1, "a non-retryable error is not tried again");
});

test("the journal survives a reopen, cuts a torn last line, and refuses a damaged middle", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-journal-"));
  const file = path.join(dir, "journal.jsonl");
  const j = new Journal(file);
  const a = j.intent({ op: "create", resource: "vm", name: "vm-a", host: 0, size: "Standard_B2s" });
  j.outcome(a, "done", { size: "Standard_B2s" });
  const b = j.intent({ op: "create", resource: "vm", name: "vm-b", host: 1 });
  j.close();
  const good = statSync(file).size;
  appendFileSync(file, '{"seq":4,"t":1,"kind":"done","re'); // a crash in the middle of a write
  const k = new Journal(file);
  assert.equal(k.repaired, true);
  assert.equal(statSync(file).size, good, "the torn line is cut off");
  assert.equal(k.records.length, 3);
  assert.deepEqual(k.open().map((r) => r.name), ["vm-b"]);
  assert.deepEqual([...k.known().keys()], ["vm-a"]);
  k.outcome(k.open()[0], "abandoned", { note: "not found" });
  const d = k.intent({ op: "deallocate", resource: "vm", name: "vm-a", host: 0 });
  k.outcome(d, "done");
  assert.equal(k.known().get("vm-a")?.deallocated, true);
  const del = k.intent({ op: "delete", resource: "vm", name: "vm-a", host: 0 });
  k.outcome(del, "done");
  assert.equal(k.known().size, 0);
  assert.deepEqual(k.check(), []);
  k.close();
  // seq numbers continue after a reopen
  const again = new Journal(file);
  assert.equal(again.intent({ op: "create", resource: "nic", name: "n" }).seq, 9); // 8 records before it
  again.close();
  void b;
  // a record ending an intent twice is reported
  const lines = readFileSync(file, "utf8").trim().split("\n");
  writeFileSync(file, [...lines, JSON.stringify({ seq: 10, t: 1, kind: "done", ref: 1 })].join("\n") + "\n");
  assert.ok(new Journal(file).check().some((p) => p.includes("already ended")));
  writeFileSync(file, [lines[0], "not json", lines[1]].join("\n") + "\n");
  assert.throws(() => new Journal(file), (e: unknown) => e instanceof JournalError && /journal\.jsonl:2:/.test((e as Error).message));
});

test("limits: a start beyond --max-vms or --max-usd-per-hour is refused, a cheaper one may still fit", () => {
  const price = (h: number) => [0.1, 0.1, 0.3, 0.05][h];
  // allocated 0 and 1 (0.2 USD/h); max 3 VMs: host 2 fits, host 3 is the fourth VM
  let v = admitStarts(new Set([0, 1]), [2, 3], price, { maxVms: 3 });
  assert.deepEqual(v.allowed, [2]);
  assert.deepEqual(v.refused.map((r) => r.host), [3]);
  // max 0.3 USD/h: host 2 (0.3) would make 0.5; host 3 (0.05) makes 0.25
  v = admitStarts(new Set([0, 1]), [2, 3], price, { maxUsdPerHour: 0.3 });
  assert.deepEqual(v.allowed, [3]);
  assert.match(v.refused[0].reason, /max-usd-per-hour 0.3/);
  assert.throws(() => checkInitial([0, 1, 2], price, { maxVms: 2 }), LimitError);
  assert.doesNotThrow(() => checkInitial([0, 1], price, { maxVms: 2, maxUsdPerHour: 0.2 }));
});

test("fallback sizes: the cheapest catalogue size with at least the vCPUs and RAM, excluding what failed", () => {
  const u = new UnavailableSizes(() => 0);
  // Standard_B1ms is 1 vCPU, 2 GiB: fits are B2s (0.0416), B2ms (0.0832), F2s_v2 (0.0846), D2s_v5 (0.096), ...; B1s (1 GiB) does not fit
  assert.deepEqual(candidateSizes("Standard_B1ms", u).slice(0, 4), ["Standard_B1ms", "Standard_B2s", "Standard_B2ms", "Standard_F2s_v2"]);
  u.markSize("Standard_B1ms");
  assert.equal(candidateSizes("Standard_B1ms", u)[0], "Standard_B2s");
  // a quota failure takes out the family: every B-series size
  u.markFamily("Standard_B1ms");
  assert.deepEqual(candidateSizes("Standard_B1ms", u).slice(0, 2), ["Standard_F2s_v2", "Standard_D2s_v5"]);
  assert.deepEqual(candidateSizes("Standard_B1ms", u, 0.09), ["Standard_F2s_v2"], "the price limit holds");
  assert.equal(sizeFamily("Standard_B2ms"), "BS");
  assert.equal(sizeFamily("Standard_D4s_v5"), "DSV5");
  const later = new UnavailableSizes(() => 7_200_000);
  assert.equal(later.isUnavailable("Standard_B1ms"), false);
});

test("names are deterministic and tags mark ownership; extra tags never replace cotwin's", () => {
  const n = names("exp1");
  assert.equal(n.vm(3), "cotwin-exp1-h3");
  assert.equal(n.nic(3), "cotwin-exp1-h3-nic");
  assert.equal(n.hostOf("cotwin-exp1-h12-osdisk"), 12);
  assert.equal(n.hostOf("cotwin-exp10-h1"), -1, "another deployment's names are not this one's");
  const t = ownedTags("exp1", Date.parse("2025-01-02T03:04:05Z"), { costCenter: "42", "cotwin-owner": "mallory" }, 3);
  assert.equal(t["cotwin-owner"], "cotwin");
  assert.equal(t.costCenter, "42");
  assert.equal(createdAt(t), Date.parse("2025-01-02T03:04:05Z"));
  assert.equal(isOurs(t, "exp1"), true);
  assert.equal(isOurs(t, "exp2"), false);
  assert.equal(isOurs(undefined, "exp1"), false);
  assert.equal(isOurs({ "cotwin-deployment": "exp1" }, "exp1"), false);
  assert.match(deploymentNameProblem("Exp_1") ?? "", /lower-case/);
  assert.equal(deploymentNameProblem("exp-1"), null);
  assert.match(extraTagsProblem({ "cotwin-x": "y" }) ?? "", /cotwin's own/);
});

test("Azure errors are sorted by what to do, each with its code and a hint", () => {
  const e = (code: string, statusCode: number, message = code) => Object.assign(new Error(message), { name: "RestError", code, statusCode });
  assert.equal(armError(e("SkuNotAvailable", 409)).kind, "sku");
  assert.equal(armError(e("AllocationFailed", 200)).kind, "allocation");
  const q = armError(e("OperationNotAllowed", 409, "Operation could not be completed as it results in exceeding approved standardBSFamily Cores quota."));
  assert.equal(q.kind, "quota");
  assert.match(q.hint ?? "", /Usage \+ quotas/);
  const auth = armError(e("AuthorizationFailed", 403));
  assert.equal(auth.kind, "auth");
  assert.match(auth.hint ?? "", /Contributor/);
  assert.equal(armError(e("TooManyRequests", 429)).kind, "throttled");
  assert.equal(armError(e("InternalServerError", 500)).kind, "transient");
  assert.equal(armError(e("OSProvisioningTimedOut", 200)).kind, "provisioning");
  assert.equal(armError(Object.assign(new Error("x"), { name: "CredentialUnavailableError" })).kind, "credential");
});
