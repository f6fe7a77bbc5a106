// One-off messages to the background: a content script asking to place a call, and the
// options page managing sites. Each is checked for where it came from: calls only from
// a content script in a tab of an enabled site, site changes only from our own pages.

import type { PageRecord } from "../protocol/index";
import { parsePageMessage, type PlaceReply } from "../shared/page-messages";
import { linkShowsAnotherNumber, sipHost } from "./dial-checks";
import { parseSitesRequest, type SitesReply } from "../shared/site-messages";
import type { Logger } from "./logger";
import type { PageCalls } from "./page-calls";
import type { PanelOpener } from "./panel-opener";
import type { Sites } from "./sites";

/** The record's URL as the page reports it when it is on the sender's own origin (a
 * single-page app's URL moves with client-side navigation, the sender's does not), else
 * the sender's: a page can name only its own site. */
export function recordUrlFor(reported: string | undefined, sender: string | undefined): string {
  const own = recordUrl(sender);
  const claimed = recordUrl(reported);
  if (!own || !claimed) return own;
  return new URL(claimed).origin === new URL(own).origin ? claimed : own;
}

/** A URL as a record URL: http(s) only, at most 2,000 characters (the query
 * goes first when it is longer). */
export function recordUrl(url: string | undefined): string {
  if (!url || !/^https?:\/\//i.test(url)) return "";
  if (url.length <= 2000) return url;
  const parsed = new URL(url);
  const bare = `${parsed.origin}${parsed.pathname}`;
  return bare.length <= 2000 ? bare : parsed.origin;
}

export function listenForRuntimeMessages(sites: Sites, calls: PageCalls, panels: PanelOpener, logger: Logger): void {
  const ownPages = chrome.runtime.getURL("");
  chrome.runtime.onMessage.addListener((raw: unknown, sender, reply: (answer: PlaceReply | SitesReply) => void) => {
    if (sender.id !== chrome.runtime.id) return undefined;
    if (sender.tab && sender.url && !sender.url.startsWith(ownPages)) {
      const request = parsePageMessage(raw);
      if (!request) return undefined;
      const tab = sender.tab;
      const keyOf = (click: string): string => `${tab.id ?? "?"}:${sender.frameId ?? 0}:${click}`;
      // The record's URL is on the sender's own site, so a page's deal is kept under it.
      const onOwnSite = (record: PageRecord | null): PageRecord | null =>
        record ? { ...record, url: recordUrlFor(record.url, sender.url) } : null;
      if (request.type === "rolecall:page") {
        // The page of a call this tab's frame just asked for.
        void sites.isEnabledUrl(sender.url).then((enabled) => {
          if (enabled) calls.pageOf(keyOf(request.click), onOwnSite(request.record), request.snapshot);
        });
        return undefined;
      }
      // Still inside the click's user gesture: the panel can only be opened now. A call that
      // may need the user's confirmation opens it whatever the setting says.
      const mayAsk =
        sipHost(request.target) !== null || (request.shown !== undefined && linkShowsAnotherNumber(request.shown, request.target));
      if (mayAsk) panels.open(sender.tab.id, sender.tab.windowId);
      else panels.openForCall(sender.tab.id, sender.tab.windowId);
      void sites.isEnabledUrl(sender.url).then(async (enabled) => {
        if (!enabled) {
          logger.warn("a call request from a page not enabled was refused", { url: sender.url });
          reply({ ok: false, error: { code: "unavailable", message: "Rolecall is not enabled on this site" } });
          return;
        }
        const { click, ...asked } = request;
        reply(
          await calls.place({
            ...asked,
            record: onOwnSite(request.record),
            tabId: sender.tab?.id,
            pageUrl: sender.url,
            ...(click !== undefined ? { pageKey: keyOf(click) } : {}),
          }),
        );
      });
      return true; // answers asynchronously
    }
    if (sender.url?.startsWith(ownPages)) {
      const request = parseSitesRequest(raw);
      if (!request) return undefined;
      const done =
        request.op === "enable"
          ? sites.enable(request.patterns)
          : request.op === "disable"
            ? sites.disable(request.patterns)
            : Promise.resolve();
      done
        .then(async () => reply({ ok: true, sites: await sites.list() }))
        .catch((err: unknown) => reply({ ok: false, error: { code: "invalid_state", message: String(err) } }));
      return true;
    }
    return undefined;
  });
}
