// The click guard's decision on the facts it gathered: what counts as the user's click.
import { describe, expect, it } from "vitest";
import { MIN_OPACITY, SETTLE_MS, judge, type Box, type ClickFacts } from "../src/content/click-guard";

const BOX: Box = { left: 100, top: 50, width: 18, height: 16 };

/** A plain mouse click by a person who moved the pointer onto a visible, still button. */
function click(over: Partial<ClickFacts> = {}): ClickFacts {
  return {
    trusted: true,
    keyboard: false,
    userFocused: false,
    onTop: true,
    opacity: 1,
    masked: false,
    box: BOX,
    visible: BOX,
    pointerType: "mouse",
    enterBox: BOX,
    downBox: BOX,
    enterAt: 1000,
    downAt: 1150,
    movedOnto: true,
    ...over,
  };
}

describe("judge", () => {
  it("counts a person's click on a visible, still button", () => {
    expect(judge(click())).toBeNull();
  });

  it("refuses events the page made", () => {
    expect(judge(click({ trusted: false }))).toBe("untrusted");
  });

  it("refuses a button something else is painted over", () => {
    expect(judge(click({ onTop: false }))).toBe("covered");
  });

  it("refuses a button faded out along its ancestors, down to the threshold", () => {
    expect(judge(click({ opacity: 0.01 }))).toBe("transparent");
    expect(judge(click({ opacity: MIN_OPACITY - 0.01 }))).toBe("transparent");
    expect(judge(click({ opacity: MIN_OPACITY }))).toBeNull();
  });

  it("refuses a tiny, clipped, masked or off-screen button", () => {
    expect(judge(click({ box: { ...BOX, width: 2 }, visible: { ...BOX, width: 2 } }))).toBe("clipped");
    expect(judge(click({ visible: null }))).toBe("clipped");
    expect(judge(click({ visible: { ...BOX, width: 5 } }))).toBe("clipped");
    expect(judge(click({ visible: { ...BOX, width: 10 } }))).toBeNull();
    expect(judge(click({ masked: true }))).toBe("clipped");
  });

  it("refuses a button that moved between the pointer's arrival, the press and the click", () => {
    expect(judge(click({ downBox: { ...BOX, left: 140 } }))).toBe("moved");
    expect(judge(click({ enterBox: { ...BOX, top: 10 } }))).toBe("moved");
    expect(judge(click({ downBox: null }))).toBe("moved");
    expect(judge(click({ downBox: { ...BOX, left: BOX.left + 0.5 } }))).toBeNull();
  });

  it("refuses a button slid under a resting pointer until it has stood there a while", () => {
    expect(judge(click({ movedOnto: false, enterAt: 1000, downAt: 1001 }))).toBe("moved");
    expect(judge(click({ movedOnto: false, enterAt: 1000, downAt: 1000 + SETTLE_MS - 1 }))).toBe("moved");
    expect(judge(click({ movedOnto: false, enterAt: 1000, downAt: 1000 + SETTLE_MS }))).toBeNull();
    expect(judge(click({ movedOnto: false, enterAt: null, downAt: 1000 }))).toBe("moved");
  });

  it("takes a tap where the finger came down, if the button stood still", () => {
    expect(judge(click({ pointerType: "touch", movedOnto: false, enterAt: 1000, downAt: 1000 }))).toBeNull();
    expect(judge(click({ pointerType: "touch", movedOnto: false, downBox: { ...BOX, top: 90 } }))).toBe("moved");
  });

  it("counts Enter or Space only on a button the user focused", () => {
    const key = { keyboard: true, downBox: null, enterBox: null, enterAt: null, downAt: null, movedOnto: false };
    expect(judge(click({ ...key, userFocused: true }))).toBeNull();
    expect(judge(click({ ...key, userFocused: false }))).toBe("focus");
    // Focused by the user but hidden under the page's layer: still refused.
    expect(judge(click({ ...key, userFocused: true, onTop: false }))).toBe("covered");
    expect(judge(click({ ...key, userFocused: true, opacity: 0.1 }))).toBe("transparent");
  });
});
