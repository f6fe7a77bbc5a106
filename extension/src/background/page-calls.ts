// Calls placed from CRM pages: a content script's request (or a selection the user
// chose to call) is checked again here, sent to the host as `call.place` with the page's
// record and snapshot, and answered; a call that then fails before it is answered is
// reported back to the tab it came from as a toast, with the reason. A link that shows
// another number than it dials, or a SIP URI outside the accounts' domains, is not
// dialled at once: it waits in the panel for the user's "Call" (dial-confirm.ts).
// The region setting is kept in memory (read once, then from storage.onChanged), so a
// click goes to the host without waiting for storage.

import type { AccountStatus, CallInfo, ErrorCode, PageRecord, PageSnapshot } from "../protocol/index";
import { accountDomains, confirmReason, sipHost } from "./dial-checks";
import type { DialConfirmations } from "./dial-confirm";
import { dialableFromText } from "../shared/phone/dialable";
import { formatNumber } from "../shared/phone/format";
import type { CountryCode } from "libphonenumber-js/max";
import { defaultRegion } from "../shared/phone/region";
import { currentRegion, onSettingsChanged } from "../shared/settings";
import type { HostConnection } from "./host-connection";
import type { Logger } from "./logger";
import { sendToPage, type PageToast, type PlaceReply } from "../shared/page-messages";

const TOAST_FILE = "toast.js";
const PLACE_TIMEOUT_MS = 15_000;
const WATCHED_CALLS = 50;

export interface PlaceRequest {
  target: string;
  record: PageRecord | null;
  snapshot: PageSnapshot | null;
  tabId: number | undefined;
  /** A link's visible text, when the call came from a link. */
  shown?: string | null;
  /** The page's URL (for the confirmation's "from"). */
  pageUrl?: string;
  /** When the page's record and snapshot follow the call (`pageOf`): the click's key. */
  pageKey?: string;
}

/** A call placed ahead of its page, or a page that came ahead of its call's id. */
interface PendingPage {
  callId?: string;
  page?: { record: PageRecord | null; snapshot: PageSnapshot | null };
}

const END_WORDS: Record<string, string> = {
  busy: "the line is busy",
  not_found: "the number was not found",
  no_answer: "no answer",
  rejected: "the call was declined",
  network: "the network could not connect the call",
  failed: "the call failed",
  interrupted: "Rolecall stopped during the call",
};

export class PageCalls {
  /** Call id → the tab it was placed from, for the calls still worth reporting on. */
  private readonly origins = new Map<string, number>();
  /** Calls that ended before `call.place` answered (a peer may refuse within a millisecond). */
  private readonly endedEarly = new Map<string, CallInfo>();
  /** Click key → the call it placed and the page read after it, whichever came first. */
  private readonly pending = new Map<string, PendingPage>();
  /** The region setting as of the last read or change; null until the first read ends. */
  private region: { value: CountryCode | undefined } | null = null;

  constructor(
    private readonly host: HostConnection,
    private readonly logger: Logger,
    private readonly confirmations: DialConfirmations | null = null,
  ) {
    host.onEvent((event) => {
      if (event.type !== "call.updated") return;
      this.onCallUpdated((event.payload as { call: CallInfo }).call);
    });
    onSettingsChanged((settings) => {
      this.region = { value: defaultRegion(settings.region, navigator.languages ?? [navigator.language]) };
    });
    void this.readRegion();
  }

  /** Reads the region from storage unless a change already told it. */
  private async readRegion(): Promise<CountryCode | undefined> {
    const value = await currentRegion();
    this.region ??= { value };
    return this.region.value;
  }

  /** Places the call; never throws. */
  async place(request: PlaceRequest): Promise<PlaceReply> {
    const region = this.region ? this.region.value : await this.readRegion();
    const dialable = dialableFromText(request.target, region);
    if (!dialable) {
      return {
        ok: false,
        error: { code: "invalid_target", message: "that is not a phone number or SIP address" },
      };
    }
    const display = dialable.e164 ? formatNumber(dialable.e164) : dialable.display;
    // The accounts' domains matter only for a SIP URI: a number is not kept waiting for them.
    const reason = this.confirmations
      ? confirmReason(
          dialable.target,
          request.shown ?? null,
          sipHost(dialable.target) === null ? new Set<string>() : await this.domains(dialable.target),
        )
      : null;
    if (reason && this.confirmations) {
      const site = originOf(request.pageUrl);
      this.confirmations.ask(
        { reason, shown: (request.shown ?? "").slice(0, 256), target: dialable.target, display, site },
        () => this.dialConfirmed(dialable.target, display, request),
      );
      return { ok: "confirm", display };
    }
    return this.dial(dialable.target, display, request);
  }

  /**
   * The page a call was placed from, read by the content script after it asked for the
   * call: handed to the host with `call.page` as soon as both the page and the call's
   * id are here, in whichever order they come. Never throws.
   */
  pageOf(pageKey: string, record: PageRecord | null, snapshot: PageSnapshot | null): void {
    const entry = this.pending.get(pageKey);
    if (entry?.callId) {
      this.pending.delete(pageKey);
      void this.attach(entry.callId, record, snapshot);
      return;
    }
    this.pending.set(pageKey, { ...entry, page: { record, snapshot } });
    trim(this.pending);
  }

  /** The call `pageKey` asked for is placed: its page goes to the host now if it came. */
  private placed(pageKey: string | undefined, callId: string): void {
    if (pageKey === undefined) return;
    const page = this.pending.get(pageKey)?.page;
    if (page) {
      this.pending.delete(pageKey);
      void this.attach(callId, page.record, page.snapshot);
      return;
    }
    this.pending.set(pageKey, { callId });
    trim(this.pending);
  }

  /** `call.page`; a page the host refuses as malformed goes without its snapshot, then
   * not at all: the call is up either way. */
  private async attach(callId: string, record: PageRecord | null, snapshot: PageSnapshot | null): Promise<void> {
    if (!record && !snapshot) return;
    const params = { call_id: callId, ...(record ? { record } : {}), ...(snapshot ? { snapshot } : {}) };
    try {
      try {
        await this.host.request("call.page", params);
      } catch (err) {
        if (!isInvalidMessage(err) || !snapshot || !record) throw err;
        this.logger.warn("the host refused the page's snapshot; the call keeps its record", errorText(err));
        await this.host.request("call.page", { call_id: callId, record });
      }
    } catch (err) {
      this.logger.warn(`the page of call ${callId} was not kept`, errorText(err));
    }
  }

  /** The accounts' domains, asked of the host only for a SIP URI (none known: an empty set). */
  private async domains(target: string): Promise<Set<string>> {
    if (sipHost(target) === null) return new Set();
    try {
      const { accounts } = await this.host.request("account.list", {});
      return accountDomains(accounts as AccountStatus[]);
    } catch (err) {
      this.logger.warn("could not read the accounts' domains", errorText(err));
      return new Set();
    }
  }

  /** A call the user confirmed in the panel: placed, and the page told how it went. */
  private async dialConfirmed(target: string, display: string, request: PlaceRequest): Promise<void> {
    const reply = await this.dial(target, display, request);
    if (request.tabId === undefined) return;
    if (reply.ok === true) await this.toast(request.tabId, "info", `Calling ${reply.display}…`);
    else if (reply.ok === false) await this.toast(request.tabId, "error", `Call to ${display} failed: ${reply.error.message}`);
  }

  /** Sends `call.place` for a vetted target; never throws. */
  private async dial(target: string, display: string, request: PlaceRequest): Promise<PlaceReply> {
    const params = {
      target,
      ...(request.record ? { record: request.record } : {}),
      ...(request.snapshot ? { snapshot: request.snapshot } : {}),
    };
    try {
      let call: CallInfo;
      try {
        ({ call } = await this.host.request("call.place", params, { timeoutMs: PLACE_TIMEOUT_MS }));
      } catch (err) {
        // A page read badly must not cost the user the call: dial without what it read.
        if (!isInvalidMessage(err) || (!request.record && !request.snapshot)) throw err;
        this.logger.warn("the host refused the page's record or snapshot; calling without them", errorText(err));
        ({ call } = await this.host.request("call.place", { target }, { timeoutMs: PLACE_TIMEOUT_MS }));
      }
      if (request.tabId !== undefined) this.remember(call.id, request.tabId);
      this.placed(request.pageKey, call.id);
      this.logger.info(`call ${call.id} placed from a page`, { target });
      return { ok: true, callId: call.id, display };
    } catch (err) {
      if (request.pageKey !== undefined) this.pending.delete(request.pageKey);
      const error = err as { code?: unknown; message?: unknown };
      return {
        ok: false,
        error: {
          code: (typeof error.code === "string" ? error.code : "internal") as ErrorCode,
          message: typeof error.message === "string" ? error.message : String(err),
        },
      };
    }
  }

  /** Shows `text` on the tab, starting the small toast script there if no content script runs. */
  async toast(tabId: number, kind: "info" | "error", text: string): Promise<void> {
    const message: PageToast = { type: "rolecall:toast", kind, text };
    try {
      await sendToPage(tabId, message, { frameId: 0 });
      return;
    } catch {
      // no content script in that tab: the page is not an enabled site
    }
    try {
      await chrome.scripting.executeScript({ target: { tabId }, files: [TOAST_FILE] });
      await sendToPage(tabId, message, { frameId: 0 });
    } catch (err) {
      this.logger.warn(`could not show a message on tab ${tabId}`, String(err));
    }
  }

  private remember(callId: string, tabId: number): void {
    this.origins.set(callId, tabId);
    trim(this.origins);
    const ended = this.endedEarly.get(callId);
    if (ended) this.onCallUpdated(ended);
  }

  private onCallUpdated(call: CallInfo): void {
    const tabId = this.origins.get(call.id);
    if (tabId === undefined) {
      if (call.state === "disconnected" && call.direction === "outbound") {
        this.endedEarly.set(call.id, call);
        trim(this.endedEarly);
      }
      return;
    }
    if (call.state === "confirmed" || call.answered_at !== null) {
      this.origins.delete(call.id);
      return;
    }
    if (call.state !== "disconnected") return;
    this.origins.delete(call.id);
    if (call.end_cause === "cancelled" || call.end_cause === "normal") return;
    const who = call.e164 ? formatNumber(call.e164) : call.dialed || call.remote_uri;
    const why = END_WORDS[call.end_cause ?? "failed"] ?? "the call failed";
    const sip = call.status_code ? ` (${call.status_code} ${call.reason})` : "";
    void this.toast(tabId, "error", `Call to ${who} failed: ${why}${sip}`);
  }
}

function trim<K, V>(map: Map<K, V>): void {
  while (map.size > WATCHED_CALLS) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}

function originOf(url: string | undefined): string {
  try {
    return url ? new URL(url).origin : "";
  } catch {
    return "";
  }
}

function isInvalidMessage(err: unknown): boolean {
  return (err as { code?: unknown }).code === "invalid_message";
}

function errorText(err: unknown): string {
  const error = err as { message?: unknown };
  return typeof error.message === "string" ? error.message : String(err);
}
