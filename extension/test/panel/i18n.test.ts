import { describe, expect, it, afterEach } from "vitest";
import en from "../../src/i18n/en.json";
import zh from "../../src/i18n/zh_CN.json";
import { t, useCatalog } from "../../src/shared/i18n";

const placeholders = (text: string): string[] => [...new Set(text.match(/\$\d/g) ?? [])].sort();

describe("translations", () => {
  afterEach(() => useCatalog(null));

  it("Simplified Chinese has every message, with the same placeholders", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      expect(placeholders((zh as Record<string, string>)[key] ?? ""), key).toEqual(placeholders(text));
    }
  });

  it("every role, end cause and disposition the panel shows has a message", () => {
    const keys = Object.keys(en);
    for (const role of ["decision_maker", "economic_buyer", "executive_sponsor", "technical_buyer", "evaluator", "influencer", "business_user", "other", "none"]) {
      expect(keys).toContain(`role_${role}`);
    }
    for (const cause of ["normal", "busy", "not_found", "no_answer", "rejected", "cancelled", "network", "transferred", "interrupted", "failed"]) {
      expect(keys).toContain(`end_${cause}`);
    }
  });

  it("fills placeholders, in the catalog in use", () => {
    expect(t("missing_role", "Economic buyer")).toBe("No Economic buyer on this deal.");
    useCatalog(zh);
    expect(t("missing_role", "经济买家")).toBe("此商机缺少经济买家。");
  });
});
