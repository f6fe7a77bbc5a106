// Messages from the options page to the background about the sites Rolecall runs on:
// the request, its reply, the typed sender, and the validation the background applies
// (only our own pages may send these; the background checks the sender too).

import { isPlainObject } from "../protocol/index";
import type { SiteInfo } from "./site-info";

export interface SitesRequest {
  type: "rolecall:sites";
  op: "list" | "enable" | "disable";
  patterns: string[];
}

export type SitesReply = { ok: true; sites: SiteInfo[] } | { ok: false; error: { code: string; message: string } };

export function parseSitesRequest(value: unknown): SitesRequest | null {
  if (!isPlainObject(value) || value.type !== "rolecall:sites") return null;
  const { op, patterns } = value;
  if (op !== "list" && op !== "enable" && op !== "disable") return null;
  const list = patterns ?? [];
  if (!Array.isArray(list) || list.length > 50) return null;
  if (!list.every((p) => typeof p === "string" && /^(\*|https?):\/\/[^/\s]+\/\*$/.test(p))) return null;
  return { type: "rolecall:sites", op, patterns: list as string[] };
}

/** Options page → background; the background's reply (undefined: none came). */
export function sendSitesRequest(request: SitesRequest): Promise<SitesReply | undefined> {
  return chrome.runtime.sendMessage<SitesRequest, SitesReply | undefined>(request);
}
