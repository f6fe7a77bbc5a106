import { describe, expect, it } from "vitest";
import { backoffDelay } from "../src/background/backoff";

describe("backoffDelay", () => {
  it("doubles from 0.5 s up to 30 s without jitter", () => {
    const mid = () => 0.5; // jitter factor exactly 1
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((n) => backoffDelay(n, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
    ]);
  });

  it("jitters within ±20 % and never exceeds 30 s", () => {
    for (const r of [0, 0.25, 0.999999]) {
      for (let n = 1; n < 12; n++) {
        const base = Math.min(30000, 500 * 2 ** (n - 1));
        const d = backoffDelay(n, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(d).toBeLessThanOrEqual(Math.min(30000, Math.ceil(base * 1.2)));
      }
    }
  });

  it("treats 0 failures like the first", () => {
    expect(backoffDelay(0, () => 0.5)).toBe(500);
  });
});
