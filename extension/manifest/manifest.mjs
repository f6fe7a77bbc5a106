// The extension's manifest: one shared description plus what differs per target.
// build.mjs writes dist/<target>/manifest.json from `manifestFor(target, version)`.

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export const TARGETS = ["chromium", "firefox"];
export const CHROMIUM_EXTENSION_ID = "hffpmcdddcflcdlikecihfpofnnogjni";
export const GECKO_ID = "rolecall@rolecall.app";
export const ICON_SIZES = [16, 32, 48, 128];

/** The public key from chromium-key.txt (comment lines dropped). */
export function chromiumKey() {
  const lines = readFileSync(resolve(here, "chromium-key.txt"), "utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  if (lines.length !== 1) throw new Error("manifest/chromium-key.txt must hold exactly one key line");
  return lines[0];
}

/** The Chromium extension id a manifest key gives (sha256 of the DER, a–p for 0–f). */
export function extensionIdFromKey(key) {
  const hex = createHash("sha256").update(Buffer.from(key, "base64")).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join("");
}

/**
 * Manifest versions are 1–4 dot-separated integers; a Python version such as
 * "0.2.0rc1" or "0.2.0.dev3" keeps its numeric part in `version` and is shown whole
 * in `version_name` (Chromium only).
 */
export function manifestVersionOf(pythonVersion) {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?/.exec(pythonVersion);
  if (!match) throw new Error(`cannot make a manifest version of ${JSON.stringify(pythonVersion)}`);
  const version = match.slice(1).filter((part) => part !== undefined).map(Number).join(".");
  return { version, versionName: version === pythonVersion ? null : pythonVersion };
}

/** Sites a development build (`make build`, used by the demo and the tests) holds from install. */
export const DEVELOPMENT_SITES = ["http://127.0.0.1/*", "http://localhost/*"];

/**
 * Keyboard commands. Chromium takes at most four suggested keys; mute and hold have
 * none and are set by the user on the browser's shortcuts page (the options page
 * lists every command and its current key).
 */
export const COMMANDS = {
  "open-panel": { suggested_key: { default: "Alt+Shift+O" }, description: "__MSG_command_open_panel__" },
  "answer-call": { suggested_key: { default: "Alt+Shift+Y" }, description: "__MSG_command_answer__" },
  "hang-up": { suggested_key: { default: "Alt+Shift+H" }, description: "__MSG_command_hangup__" },
  "call-selection": { suggested_key: { default: "Alt+Shift+K" }, description: "__MSG_command_call_selection__" },
  "toggle-mute": { description: "__MSG_command_mute__" },
  "toggle-hold": { description: "__MSG_command_hold__" },
};

const icons = Object.fromEntries(ICON_SIZES.map((size) => [String(size), `icons/icon-${size}.png`]));

function shared(version, flavour) {
  return {
    manifest_version: 3,
    name: "Rolecall",
    version,
    description: "__MSG_ext_description__",
    default_locale: "en",
    permissions: ["nativeMessaging", "storage", "scripting", "contextMenus", "activeTab", "notifications"],
    // Sites are enabled one by one at run time; the content script is registered then.
    optional_host_permissions: ["https://*/*", "http://*/*"],
    ...(flavour === "development" ? { host_permissions: DEVELOPMENT_SITES } : {}),
    icons,
    action: {
      default_title: "Rolecall",
      default_icon: icons,
    },
    options_ui: { page: "options.html", open_in_tab: true },
    commands: COMMANDS,
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'self'; base-uri 'none'",
    },
  };
}

const perTarget = {
  chromium: (base, versionName) => {
    const manifest = {
      ...base,
      ...(versionName ? { version_name: versionName } : {}),
      // Only the public key (see manifest/chromium-key.txt).
      key: chromiumKey(),
      minimum_chrome_version: "123", // light-dark() in the panel's styles
      permissions: [...base.permissions, "sidePanel"],
      background: { service_worker: "background.js" },
      side_panel: { default_path: "sidepanel.html" },
    };
    return manifest;
  },
  firefox: (base) => ({
    ...base,
    // Firefox MV3 has no service worker: the background runs as an event page.
    background: { scripts: ["background.js"] },
    sidebar_action: {
      default_title: "Rolecall",
      default_panel: "sidepanel.html",
      default_icon: icons,
    },
    browser_specific_settings: {
      // AMO requires a data collection declaration: nothing leaves the user's machine
      // through the extension (the page record goes to the local host only).
      gecko: { id: GECKO_ID, strict_min_version: "140.0", data_collection_permissions: { required: ["none"] } },
      // Firefox for Android reads that declaration from 142 on (AMO's linter checks it).
      gecko_android: { strict_min_version: "142.0" },
    },
  }),
};

export const FLAVOURS = ["development", "store"];

/**
 * `flavour` "development" (the unpacked build the demo and tests load) also holds the
 * loopback sites from install; "store" (packages for users) holds no site until asked.
 */
export function manifestFor(target, pythonVersion, flavour = "store") {
  const build = perTarget[target];
  if (!build) throw new Error(`unknown target ${target}; one of ${TARGETS.join(", ")}`);
  if (!FLAVOURS.includes(flavour)) throw new Error(`unknown flavour ${flavour}; one of ${FLAVOURS.join(", ")}`);
  const { version, versionName } = manifestVersionOf(pythonVersion);
  return build(shared(version, flavour), versionName);
}
