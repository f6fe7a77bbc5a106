#!/usr/bin/env node
// Generates src/protocol/generated.ts from ../docs/protocol.schema.json (which is
// itself generated from the pydantic models in host/rolecall/protocol/; never edit
// either by hand).
//
//   node scripts/gen-protocol-types.mjs            write src/protocol/generated.ts
//   node scripts/gen-protocol-types.mjs --check    exit 1 if the committed file differs
//   node scripts/gen-protocol-types.mjs --stdout   print the generated file instead
//   --schema PATH / --out PATH                     use other paths (for drift tests:
//                                                  the header always names
//                                                  docs/protocol.schema.json, so a fresh
//                                                  copy of it gives identical output)
//
// The output depends only on the schema and the locked json-schema-to-typescript /
// prettier versions: no dates, no absolute paths, LF line endings.

import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const extensionDir = resolve(here, "..");
const repoDir = resolve(extensionDir, "..");

function usage(message) {
  if (message) process.stderr.write(`gen-protocol-types: ${message}\n`);
  process.stderr.write(
    "usage: node scripts/gen-protocol-types.mjs [--check | --stdout] [--schema PATH] [--out PATH]\n",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const args = {
    check: false,
    stdout: false,
    schema: resolve(repoDir, "docs/protocol.schema.json"),
    out: resolve(extensionDir, "src/protocol/generated.ts"),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--check") args.check = true;
    else if (arg === "--stdout") args.stdout = true;
    else if (arg === "--schema" || arg === "--out") {
      const value = argv[++i];
      if (!value) usage(`${arg} needs a path`);
      args[arg.slice(2)] = resolve(process.cwd(), value);
    } else if (arg === "-h" || arg === "--help") usage();
    else usage(`unknown argument ${arg}`);
  }
  if (args.check && args.stdout) usage("--check and --stdout exclude each other");
  return args;
}

/** A path for the header: relative to the repository with forward slashes. */
function displayPath(path) {
  const rel = relative(repoDir, path);
  return rel.startsWith("..") ? path.split(sep).join("/") : rel.split(sep).join("/");
}

async function generate(schemaPath) {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
  const body = await compile(schema, "RolecallProtocol", {
    bannerComment: "",
    additionalProperties: false,
    unreachableDefinitions: true,
    // minItems/maxItems would turn `protocols` into a union of 16 tuple types.
    ignoreMinAndMaxItems: true,
    strictIndexSignatures: false,
    cwd: dirname(schemaPath),
    format: true,
    style: {
      printWidth: 100,
      tabWidth: 2,
      useTabs: false,
      semi: true,
      singleQuote: false,
      trailingComma: "all",
      endOfLine: "lf",
    },
  });
  const header = [
    "// GENERATED FILE: do not edit.",
    "// Source: docs/protocol.schema.json (JSON Schema generated from host/rolecall/protocol/).",
    "// Generator: extension/scripts/gen-protocol-types.mjs (json-schema-to-typescript).",
    "// Regenerate with `npm run gen:protocol` in extension/ (or `make protocol`).",
    "",
    "",
  ].join("\n");
  return (header + body.trim() + "\n").replace(/\r\n/g, "\n");
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const text = await generate(args.schema);
  if (args.stdout) {
    process.stdout.write(text);
    return;
  }
  if (args.check) {
    const current = existsSync(args.out) ? readFileSync(args.out, "utf8") : null;
    if (current !== text) {
      process.stderr.write(
        `gen-protocol-types: ${displayPath(args.out)} is out of date with ` +
          `${displayPath(args.schema)}; run \`npm run gen:protocol\` in extension/.\n`,
      );
      process.exit(1);
    }
    process.stdout.write(`gen-protocol-types: ${displayPath(args.out)} is up to date.\n`);
    return;
  }
  writeFileSync(args.out, text);
  process.stdout.write(`gen-protocol-types: wrote ${displayPath(args.out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`gen-protocol-types: ${err?.stack ?? err}\n`);
  process.exit(1);
});
