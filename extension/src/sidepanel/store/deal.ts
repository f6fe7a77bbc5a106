// The deal the followed call is about: `context.get` by call id, by the caller's number or
// by opportunity (the picker's choice), every page of contacts and documents, the deal's
// call history, names for ringing calls beside the followed one, and presence of the
// contacts that have SIP addresses. A newer load makes an older one's answers stale.

import type { CallInfo, ContactCard, OpportunityContext, Params, PresenceStatus } from "../../protocol/index";
import { orderGroups } from "../people";
import { userPartNumber } from "./facts";
import { errorCode, errorText, type StoreCore } from "./state";

const PAGE_SIZE = 500;
const PRESENCE_LIMIT = 50;
const HISTORY_LIMIT = 20;

export class DealContext {
  private contextToken = 0;
  private subscribed = new Set<string>();

  constructor(private readonly core: StoreCore) {}

  async loadContextForCall(call: CallInfo): Promise<void> {
    const core = this.core;
    const token = ++this.contextToken;
    core.set({ contextStatus: "loading", contextError: "", matches: [] });
    const placed = core.placedFor.get(call.id);
    if (placed) {
      await this.loadOpportunity(placed, token);
      return;
    }
    try {
      if (call.record) {
        const result = await core.client.request("context.get", { call_id: call.id, page_size: PAGE_SIZE });
        if (token !== this.contextToken) return;
        if (result.context) {
          await this.applyContext(result.context, { call_id: call.id }, token);
          return;
        }
      }
    } catch (err) {
      if (errorCode(err) !== "not_found") {
        if (token === this.contextToken) core.set({ contextStatus: "error", contextError: errorText(err) });
        return;
      }
    }
    const phone = call.e164 ?? userPartNumber(call.remote_uri);
    if (!phone) {
      if (token === this.contextToken) core.set({ contextStatus: "none", context: null, people: [], documents: [] });
      return;
    }
    await this.lookUpCaller(phone, token);
  }

  /** Caller lookup: the deal when one matches, a picker when several do. */
  async lookUpCaller(phone: string, token = ++this.contextToken): Promise<void> {
    const core = this.core;
    try {
      const result = await core.client.request("context.get", { phone, page_size: PAGE_SIZE });
      if (token !== this.contextToken) return;
      const deals = new Set(result.matches.map((m) => m.opportunity_id).filter((id) => id !== null));
      if (result.context) {
        await this.applyContext(result.context, { phone }, token);
        core.set({ matches: deals.size > 1 ? result.matches : [] });
      } else {
        core.set({
          context: null,
          people: [],
          documents: [],
          history: [],
          matches: result.matches,
          contextStatus: "none",
        });
      }
    } catch (err) {
      if (token === this.contextToken) core.set({ contextStatus: "error", contextError: errorText(err) });
    }
  }

  /** Names a ringing call shown beside the followed one. */
  async lookUpRinging(call: CallInfo): Promise<void> {
    const phone = call.e164 ?? userPartNumber(call.remote_uri);
    if (!phone) return;
    try {
      const { matches } = await this.core.client.request("context.get", { phone, page_size: 1 });
      this.core.set({ callers: { ...this.core.state.callers, [call.id]: matches ?? [] } });
    } catch {
      // shown by number
    }
  }

  /** Shows one opportunity (the picker's choice, or a call placed from the panel). */
  async pickOpportunity(opportunityId: string): Promise<void> {
    const core = this.core;
    const call = core.focused();
    if (call) {
      core.placedFor.set(call.id, opportunityId);
      // The call log takes the user's pick: the number alone could not say which deal.
      void core.client
        .request("calllog.update", { call_id: call.id, opportunity_id: opportunityId })
        .catch((err: unknown) => core.notify("error", "notice_save_failed", [errorText(err)]));
    }
    await this.loadOpportunity(opportunityId, ++this.contextToken, true);
  }

  private async loadOpportunity(opportunityId: string, token: number, keepMatches = false): Promise<void> {
    const core = this.core;
    core.set({ contextStatus: "loading", contextError: "", ...(keepMatches ? {} : { matches: [] }) });
    try {
      const result = await core.client.request("context.get", { opportunity_id: opportunityId, page_size: PAGE_SIZE });
      if (token !== this.contextToken) return;
      if (result.context) await this.applyContext(result.context, { opportunity_id: opportunityId }, token);
      else core.set({ contextStatus: "none", context: null, people: [], documents: [] });
    } catch (err) {
      if (token === this.contextToken) core.set({ contextStatus: "error", contextError: errorText(err) });
    }
  }

  /** Takes a first page, fetches the rest of the contacts and documents, then history. */
  private async applyContext(
    first: OpportunityContext,
    query: Params<"context.get">,
    token: number,
  ): Promise<void> {
    let people = first.groups.flatMap((g) => g.contacts);
    let documents = [...first.documents];
    let nextContacts = first.next_contacts_offset;
    let nextDocuments = first.next_documents_offset;
    while (nextContacts !== null || nextDocuments !== null) {
      const page = await this.core.client.request("context.get", {
        ...query,
        opportunity_id: first.opportunity.id,
        page_size: PAGE_SIZE,
        contacts_offset: nextContacts ?? first.total_contacts,
        documents_offset: nextDocuments ?? first.total_documents,
      });
      if (token !== this.contextToken || !page.context) return;
      if (nextContacts !== null) people = people.concat(page.context.groups.flatMap((g) => g.contacts));
      if (nextDocuments !== null) documents = documents.concat(page.context.documents);
      nextContacts = nextContacts !== null ? page.context.next_contacts_offset : null;
      nextDocuments = nextDocuments !== null ? page.context.next_documents_offset : null;
    }
    this.core.set({
      context: first,
      people: orderGroups(people),
      documents,
      contextStatus: "ready",
      contextError: "",
    });
    this.watchPresence(people);
    void this.loadHistory();
  }

  async loadHistory(): Promise<void> {
    const core = this.core;
    const opportunityId = core.state.context?.opportunity.id;
    if (!opportunityId) return;
    core.set({ historyStatus: "loading" });
    try {
      const { calls } = await core.client.request("calllog.list", { opportunity_id: opportunityId, limit: HISTORY_LIMIT });
      if (core.state.context?.opportunity.id === opportunityId) core.set({ history: calls ?? [], historyStatus: "ready" });
    } catch {
      core.set({ historyStatus: "error" });
    }
  }

  /** A `presence.updated` event: the contact with that address shows it. */
  onPresence(uri: string, status: PresenceStatus): void {
    this.core.set({ presence: { ...this.core.state.presence, [uri]: status } });
  }

  private watchPresence(people: ContactCard[]): void {
    const client = this.core.client;
    const uris = people
      .map((p) => p.contact.sip_uri)
      .filter((uri): uri is string => typeof uri === "string" && uri.startsWith("sip"))
      .slice(0, PRESENCE_LIMIT);
    for (const uri of this.subscribed) {
      if (!uris.includes(uri)) void client.request("presence.unsubscribe", { uri }).catch(() => undefined);
    }
    for (const uri of uris) {
      if (!this.subscribed.has(uri)) void client.request("presence.subscribe", { uri }).catch(() => undefined);
    }
    this.subscribed = new Set(uris);
  }

  /** Marks the moment people and documents of the current context are on screen. */
  markShown(): void {
    this.core.setQuietly({ contextShownAt: Date.now() });
  }
}
