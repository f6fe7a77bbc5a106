import { describe, expect, it } from "vitest";
import { patternMatches, sitePattern } from "../src/background/match-pattern";

describe("match patterns", () => {
  it("match hosts, subdomains, schemes and any port", () => {
    expect(patternMatches("http://127.0.0.1/*", "http://127.0.0.1:8123/crm/a.html")).toBe(true);
    expect(patternMatches("http://127.0.0.1/*", "http://127.0.0.2/crm/a.html")).toBe(false);
    expect(patternMatches("https://*.lightning.force.com/*", "https://acme.lightning.force.com/lightning/r/Opportunity/006/view")).toBe(true);
    expect(patternMatches("https://*.lightning.force.com/*", "https://lightning.force.com/")).toBe(true);
    expect(patternMatches("https://*.lightning.force.com/*", "https://evil-lightning.force.com.example/")).toBe(false);
    expect(patternMatches("https://*.lightning.force.com/*", "http://acme.lightning.force.com/")).toBe(false);
    expect(patternMatches("*://app.hubspot.com/*", "http://app.hubspot.com/x")).toBe(true);
    expect(patternMatches("*://app.hubspot.com/*", "ftp://app.hubspot.com/x")).toBe(false);
    expect(patternMatches("https://crm.zoho.com/crm/*", "https://crm.zoho.com/other")).toBe(false);
    expect(patternMatches("<all_urls>", "https://x.test/")).toBe(true);
    expect(patternMatches("not a pattern", "https://x.test/")).toBe(false);
    expect(patternMatches("https://x.test/*", "not a url")).toBe(false);
  });

  it("give one site's pattern, for web pages only", () => {
    expect(sitePattern("https://acme.my.salesforce.com:8443/x?y#z")).toBe("https://acme.my.salesforce.com/*");
    expect(sitePattern("http://localhost:3000/")).toBe("http://localhost/*");
    expect(sitePattern("chrome://extensions")).toBeNull();
    expect(sitePattern("file:///tmp/a.html")).toBeNull();
    expect(sitePattern("")).toBeNull();
  });
});
