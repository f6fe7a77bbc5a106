import { readFileSync } from "node:fs";
// The manifests both targets get from manifest/manifest.mjs.
import { describe, expect, it } from "vitest";
import {
  CHROMIUM_EXTENSION_ID,
  chromiumKey,
  extensionIdFromKey,
  manifestFor,
  manifestVersionOf,
} from "../manifest/manifest.mjs";

const CSP = "script-src 'self'; object-src 'self'; base-uri 'none'";

describe("manifests", () => {
  it("the committed public key gives the pinned Chromium id", () => {
    expect(extensionIdFromKey(chromiumKey())).toBe(CHROMIUM_EXTENSION_ID);
    expect(CHROMIUM_EXTENSION_ID).toBe("hffpmcdddcflcdlikecihfpofnnogjni");
  });

  it("chromium", () => {
    const m = manifestFor("chromium", "0.1.0");
    expect(m).toMatchObject({
      manifest_version: 3,
      name: "Rolecall",
      version: "0.1.0",
      permissions: ["nativeMessaging", "storage", "scripting", "contextMenus", "activeTab", "notifications", "sidePanel"],
      background: { service_worker: "background.js" },
      side_panel: { default_path: "sidepanel.html" },
      content_security_policy: { extension_pages: CSP },
      key: chromiumKey(),
    });
    expect(m.action.default_title).toBe("Rolecall");
    expect(Object.keys(m.icons)).toEqual(["16", "32", "48", "128"]);
    expect(m.browser_specific_settings).toBeUndefined();
  });

  it("firefox", () => {
    const m = manifestFor("firefox", "0.1.0");
    expect(m).toMatchObject({
      manifest_version: 3,
      name: "Rolecall",
      version: "0.1.0",
      permissions: ["nativeMessaging", "storage", "scripting", "contextMenus", "activeTab", "notifications"],
      background: { scripts: ["background.js"] },
      sidebar_action: { default_panel: "sidepanel.html" },
      browser_specific_settings: {
        gecko: { id: "rolecall@rolecall.app", strict_min_version: "140.0", data_collection_permissions: { required: ["none"] } },
        gecko_android: { strict_min_version: "142.0" },
      },
      content_security_policy: { extension_pages: CSP },
    });
    expect(m.key).toBeUndefined();
    expect(m.side_panel).toBeUndefined();
    expect(m.background.service_worker).toBeUndefined();
  });

  it("asks for sites at run time; only the development build holds loopback from install", () => {
    for (const target of ["chromium", "firefox"]) {
      const store = manifestFor(target, "0.1.0");
      expect(store.optional_host_permissions).toEqual(["https://*/*", "http://*/*"]);
      expect(store.host_permissions).toBeUndefined();
      expect(store.content_scripts).toBeUndefined();
      const development = manifestFor(target, "0.1.0", "development");
      expect(development.host_permissions).toEqual(["http://127.0.0.1/*", "http://localhost/*"]);
      expect(development.commands["call-selection"].suggested_key.default).toBe("Alt+Shift+K");
      expect(development.options_ui.page).toBe("options.html");
    }
    expect(() => manifestFor("chromium", "0.1.0", "beta")).toThrow();
  });

  it("has at most four suggested keys (Chromium refuses more) and a localised text per command", () => {
    const m = manifestFor("chromium", "0.1.0");
    const commands = Object.entries(m.commands);
    expect(commands.filter(([, c]) => c.suggested_key).length).toBeLessThanOrEqual(4);
    expect(commands.map(([name]) => name).sort()).toEqual(
      ["answer-call", "call-selection", "hang-up", "open-panel", "toggle-hold", "toggle-mute"],
    );
    const en = JSON.parse(readFileSync(new URL("../src/i18n/en.json", import.meta.url), "utf8"));
    for (const [, c] of commands) expect(en[c.description.replace(/^__MSG_|__$/g, "")]).toBeTruthy();
    expect(m.default_locale).toBe("en");
    expect(en[m.description.replace(/^__MSG_|__$/g, "")]).toBeTruthy();
  });

  it("turns Python versions into manifest versions", () => {
    expect(manifestVersionOf("0.1.0")).toEqual({ version: "0.1.0", versionName: null });
    expect(manifestVersionOf("1.2")).toEqual({ version: "1.2", versionName: null });
    expect(manifestVersionOf("0.2.0rc1")).toEqual({ version: "0.2.0", versionName: "0.2.0rc1" });
    expect(manifestFor("chromium", "0.2.0.dev3").version_name).toBe("0.2.0.dev3");
    expect(() => manifestVersionOf("dev")).toThrow();
    expect(() => manifestFor("safari", "0.1.0")).toThrow();
  });
});
