import { test } from "node:test";
import assert from "node:assert/strict";
import { checkPowerCurve, powerAt } from "../../simulator/power.ts";
import { POWER_CURVES } from "../../simulator/catalogue/power-curves.ts";

const x3200 = POWER_CURVES["ibm-x3200-m2"].watts;

test("power is interpolated linearly between the 11 SPECpower points", () => {
  assert.equal(powerAt(x3200, 0), 75.2);
  assert.equal(powerAt(x3200, 1), 117.0); // u = 1 uses the last segment, not an out-of-range index
  assert.equal(powerAt(x3200, 0.5), 100.0);
  // 0.35: halfway between 30 % (89.6 W) and 40 % (94.9 W) = 92.25 W
  assert.ok(Math.abs(powerAt(x3200, 0.35) - 92.25) < 1e-9);
  // 0.95: halfway between 115 and 117
  assert.ok(Math.abs(powerAt(x3200, 0.95) - 116) < 1e-9);
});

test("utilisation outside [0, 1] is an error, not clamped", () => {
  assert.throws(() => powerAt(x3200, 1.01), { message: "utilisation must be in [0, 1], got 1.01" });
  assert.throws(() => powerAt(x3200, -0.1), { message: "utilisation must be in [0, 1], got -0.1" });
  assert.throws(() => powerAt(x3200, NaN), { message: "utilisation must be in [0, 1], got NaN" });
});

test("curves are checked: 11 non-decreasing points", () => {
  assert.equal(checkPowerCurve([...x3200]), null);
  assert.equal(checkPowerCurve([1, 2, 3]), "a power curve needs 11 points (0 %, 10 %, ..., 100 %), got 3");
  assert.equal(checkPowerCurve([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9]), "power curve must not decrease (point 10: 9 < 10)");
  for (const [name, c] of Object.entries(POWER_CURVES)) assert.equal(checkPowerCurve([...c.watts]), null, name);
});

test("the twin's own interpolation (TwinModel.power) agrees with powerAt on every curve", async () => {
  const { TwinModel } = await import("../../simulator/model.ts");
  const { HOST_SIZES } = await import("../../simulator/catalogue/host-sizes.ts");
  const names = Object.keys(POWER_CURVES);
  const model = new TwinModel({
    name: "curves",
    intervalS: 1,
    hosts: names.map((n) => ({ name: n, size: HOST_SIZES.Standard_D2s_v5, curve: POWER_CURVES[n].watts, bootS: 0, initiallyOn: true, initialCredits: 0 })),
    apps: [],
    variants: ["full"],
    network: { latencyS: 0, bandwidthMBps: 1 },
    failures: { ratePerHostHour: 0, onFailure: "fail", repairS: 0 },
    maxPendingS: 1,
    admission: "interval",
  });
  names.forEach((n, h) => {
    for (let k = 0; k <= 1000; k++) {
      const u = k / 1000;
      assert.ok(Math.abs(model.power(h, u) - powerAt(POWER_CURVES[n].watts, u)) < 1e-9, `${n} at ${u}`);
    }
    // and both hit the published points exactly
    for (let i = 0; i <= 10; i++) assert.ok(Math.abs(model.power(h, i / 10) - POWER_CURVES[n].watts[i]) < 1e-9);
  });
});
