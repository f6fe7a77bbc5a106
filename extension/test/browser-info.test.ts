import { describe, expect, it } from "vitest";
import { browserLabel, detectBrowser } from "../src/background/browser-info";

const CHROME_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

describe("detectBrowser", () => {
  it("Debian chromium (brands say Chromium only)", () => {
    const info = detectBrowser({ userAgent: CHROME_UA, brands: [{ brand: "Chromium", version: "156" }, { brand: "Not=A?Brand", version: "24" }] });
    expect(info).toEqual({ family: "chromium", major: 156 });
    expect(browserLabel(info)).toBe("chromium 156");
  });

  it("Google Chrome, Edge, Brave, Vivaldi", () => {
    expect(detectBrowser({ userAgent: CHROME_UA, brands: [{ brand: "Google Chrome", version: "155" }, { brand: "Chromium", version: "155" }] })).toEqual({ family: "chrome", major: 155 });
    expect(detectBrowser({ userAgent: `${CHROME_UA} Edg/156.0.0.0` }).family).toBe("edge");
    expect(detectBrowser({ userAgent: CHROME_UA, isBrave: true })).toEqual({ family: "brave", major: 156 });
    expect(detectBrowser({ userAgent: `${CHROME_UA} Vivaldi/7.1` }).family).toBe("vivaldi");
  });

  it("Chromium without brands falls back to the user agent", () => {
    expect(detectBrowser({ userAgent: CHROME_UA })).toEqual({ family: "chromium", major: 156 });
  });

  it("Firefox", () => {
    const info = detectBrowser({ userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" });
    expect(info).toEqual({ family: "firefox", major: 128 });
    expect(browserLabel(info)).toBe("firefox 128");
  });

  it("an unknown agent still gives a label", () => {
    expect(browserLabel(detectBrowser({ userAgent: "" }))).toBe("chromium");
  });
});
