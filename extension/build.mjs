#!/usr/bin/env node
// Builds the extension: `node build.mjs [chromium|firefox|all] [--store]` (default all)
// writes dist/chromium/ and/or dist/firefox/, each with background.js, content.js (the
// CRM page script), toast.js, sidepanel.{html,js,css}, options.{html,js,css}, icons/ and
// a manifest.json made from manifest/manifest.mjs. Without --store the build is the
// development flavour, which also runs on 127.0.0.1 and localhost from install. The version comes from
// ../host/rolecall/_version.py. No remote code, no eval, no source maps; the output is
// the same for the same sources and lockfile.

import { build } from "esbuild";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ICON_SIZES, TARGETS, manifestFor } from "./manifest/manifest.mjs";
import { drawIcon } from "./scripts/icons.mjs";
import { lazyMetadataModule } from "./scripts/lazy-metadata.mjs";

const root = dirname(fileURLToPath(import.meta.url));
const versionFile = resolve(root, "../host/rolecall/_version.py");

function readVersion() {
  const text = readFileSync(versionFile, "utf8");
  const match = /^__version__\s*=\s*["']([^"']+)["']/m.exec(text);
  if (!match) throw new Error(`no __version__ = "x.y.z" in ${versionFile}`);
  return match[1];
}

const ESBUILD_TARGETS = {
  chromium: ["chrome123"],
  firefox: ["firefox128"],
};

/**
 * `_locales/<lang>/messages.json` from src/i18n/<lang>.json (flat key → text with $1…):
 * each $n becomes a named placeholder, as the i18n API wants.
 */
function writeLocales(out) {
  const dir = join(root, "src", "i18n");
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".json"))) {
    const flat = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const messages = {};
    for (const [key, text] of Object.entries(flat)) {
      const numbers = [...new Set([...text.matchAll(/\$(\d)/g)].map((m) => m[1]))];
      const entry = { message: text.replace(/\$(\d)/g, (_, n) => `$P${n}$`) };
      if (numbers.length) entry.placeholders = Object.fromEntries(numbers.map((n) => [`p${n}`, { content: `$${n}` }]));
      messages[key] = entry;
    }
    const target = join(out, "_locales", file.replace(/\.json$/, ""));
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, "messages.json"), JSON.stringify(messages, null, 1) + "\n");
  }
}

async function buildTarget(target, version, flavour) {
  const out = join(root, "dist", target);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, "icons"), { recursive: true });

  await build({
    absWorkingDir: root,
    entryPoints: {
      background: "src/background/index.ts",
      content: "src/content/index.ts",
      toast: "src/content/toast-entry.ts",
      sidepanel: "src/sidepanel/main.tsx",
      options: "src/options/main.tsx",
    },
    outdir: out,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: ESBUILD_TARGETS[target],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: false,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "warning",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [lazyPhoneMetadata],
  });

  cpSync(join(root, "static"), out, { recursive: true });
  writeLocales(out);
  for (const size of ICON_SIZES) writeFileSync(join(out, "icons", `icon-${size}.png`), drawIcon(size));
  const manifest = manifestFor(target, version, flavour);
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  console.log(`built dist/${target} (Rolecall ${version}, ${flavour})`);
}

/** libphonenumber's "max" metadata, each country parsed when first needed (scripts/lazy-metadata.mjs). */
const lazyPhoneMetadata = {
  name: "lazy-phone-metadata",
  setup(build) {
    build.onLoad({ filter: /libphonenumber-js[\\/]metadata\.max\.json\.js$/ }, (args) => {
      const json = readFileSync(args.path.replace(/\.js$/, ""), "utf8");
      return { contents: lazyMetadataModule(JSON.parse(json)), loader: "js" };
    });
  },
};

async function main() {
  const args = process.argv.slice(2);
  const flavour = args.includes("--store") ? "store" : "development";
  const arg = args.find((a) => !a.startsWith("--")) ?? "all";
  const targets = arg === "all" ? TARGETS : [arg];
  for (const target of targets) {
    if (!TARGETS.includes(target)) {
      console.error(`usage: node build.mjs [${TARGETS.join("|")}|all] [--store]`);
      process.exit(2);
    }
  }
  const version = readVersion();
  for (const target of targets) await buildTarget(target, version, flavour);
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(1);
});
