// The page's number formatter (www/format.js): `node --test tests/browser/format.test.mjs`.

import { test } from "node:test";
import assert from "node:assert/strict";

import { num, nums, duration, progressText, MISSING } from "../../www/format.js";

test("never a negative zero", () => {
  assert.equal(num(-0), "0");
  assert.equal(num(0), "0");
  assert.equal(num(-1e-12, 6), "-1.00000e-12"); // a tiny value keeps its sign and size
  for (const x of [-0, -1e-300, -4e-7]) assert.ok(!num(x, 6).startsWith("-0"), num(x, 6));
});

test("values side by side get the same significant digits", () => {
  assert.deepEqual(nums([1, 0.96]), ["1.00", "0.960"]);
  assert.deepEqual(nums([0.999999, 0.5], 6), ["0.999999", "0.500000"]);
  for (const s of nums([1, 0.96, 123.4, 2e-5, 5e6], 4)) {
    const digits = s.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "");
    assert.equal(digits.length, 4, s);
  }
});

test("exponents where magnitudes call for them", () => {
  assert.equal(num(3.2e-5), "3.20e-5");
  assert.equal(num(12345), "1.23e+4");
  assert.equal(num(0.001), "0.00100");
  assert.equal(num(9999, 4), "9999");
  assert.equal(Number(num(-3.14159e-8, 6)), -3.14159e-8);
});

test("missing values and durations", () => {
  assert.equal(num(NaN), MISSING);
  assert.equal(num(undefined), MISSING);
  assert.equal(duration(0.3), "under a second");
  assert.equal(duration(4.6), "about 5 s");
  assert.equal(duration(200), "about 3 min");
  assert.equal(duration(9000), "about 2.5 h");
  assert.equal(duration(-1), MISSING);
});

test("progress names the time left from the measured rate", () => {
  // 3,200 steps in 1.5 s: 2,133 steps/s, 11,473 left: 5.4 s
  assert.deepEqual(progressText(3200, 14673, 1500), {
    status: "3,200 / 14,673 steps", rate: "2,133 steps/s · about 5 s left" });
  assert.deepEqual(progressText(14673, 14673, 7000, true), {
    status: "Finished: 14,673 steps", rate: "2,096 steps/s" });
  assert.deepEqual(progressText(0, 100, 0), { status: "0 / 100 steps", rate: "" });
});
