// The options page's side of site management: asks the browser for a site's permission
// (this page's click is the user gesture that needs), then has the background enable
// or disable sites and answer with the list.

import type { SiteInfo } from "../shared/site-info";
import { sendSitesRequest, type SitesRequest } from "../shared/site-messages";

async function send(op: SitesRequest["op"], patterns: string[]): Promise<SiteInfo[]> {
  const reply = await sendSitesRequest({ type: "rolecall:sites", op, patterns });
  if (!reply) throw new Error("the Rolecall background did not answer");
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.sites;
}

export function listSites(): Promise<SiteInfo[]> {
  return send("list", []);
}

/** Must be called from a click handler, before anything is awaited. */
export async function enableSites(patterns: string[]): Promise<SiteInfo[] | null> {
  const granted = await chrome.permissions.request({ origins: patterns });
  if (!granted) return null;
  return send("enable", patterns);
}

export function disableSites(patterns: string[]): Promise<SiteInfo[]> {
  return send("disable", patterns);
}
