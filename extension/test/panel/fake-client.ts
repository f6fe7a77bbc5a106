// A PanelClient that answers from handlers per method and records every request, with
// a way to push host events: the side panel's model is tested against it.

import type { CallInfo, ContactCard, Document, EventMessage, MethodName, OpportunityContext, Params, Result, Role } from "../../src/protocol/index";
import type { PanelClient } from "../../src/sidepanel/panel-store";

type Handler = (params: Record<string, unknown>) => unknown;

export class FakeClient implements PanelClient {
  readonly requests: { method: string; params: Record<string, unknown> }[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Set<(event: EventMessage) => void>();
  private seq = 0;

  on(method: MethodName, handler: Handler): this {
    this.handlers.set(method, handler);
    return this;
  }

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const p = params as unknown as Record<string, unknown>;
    this.requests.push({ method, params: p });
    const handler = this.handlers.get(method);
    if (!handler) return Promise.resolve({} as Result<M>);
    try {
      return Promise.resolve(handler(p) as Result<M>);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  onEvent(listener: (event: EventMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(type: string, payload: Record<string, unknown>): void {
    const event = { v: 1, kind: "event", type, seq: ++this.seq, payload } as unknown as EventMessage;
    for (const listener of [...this.listeners]) listener(event);
  }

  calls(method: string): Record<string, unknown>[] {
    return this.requests.filter((r) => r.method === method).map((r) => r.params);
  }
}

export function hostError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export function call(over: Partial<CallInfo> = {}): CallInfo {
  return {
    id: "a".repeat(32),
    account_id: "local",
    direction: "outbound",
    state: "confirmed",
    remote_uri: "sip:+14155550100@127.0.0.1",
    remote_display: "",
    dialed: "+14155550100",
    e164: "+14155550100",
    held: false,
    remote_held: false,
    muted: false,
    recording: null,
    conference: [],
    created_at: 1_700_000_000,
    answered_at: 1_700_000_002,
    ended_at: null,
    status_code: 200,
    reason: "OK",
    end_cause: null,
    rtp: null,
    record: { crm: "salesforce", record_id: "006A" },
    ...over,
  };
}

export function card(id: string, role: Role, over: Partial<ContactCard> = {}, phone?: string): ContactCard {
  return {
    contact: {
      id,
      first_name: id.toUpperCase(),
      last_name: "Person",
      title: "Title",
      email: `${id}@example.com`,
      phones: phone ? [{ kind: "work", raw: phone, e164: phone }] : [],
    },
    role,
    source_role: "",
    is_primary: false,
    account_name: "Acme",
    relations: [],
    notes: [],
    source: "store",
    is_called: false,
    ...over,
  };
}

export function doc(id: string, over: Partial<Document> = {}): Document {
  return {
    id,
    opportunity_id: "006A",
    title: `Doc ${id}`,
    doc_type: "pdf",
    size_bytes: 2048,
    url: `https://files.example.com/${id}.pdf`,
    owner: "Sam",
    modified_at: "2026-11-01T10:00:00Z",
    ...over,
  };
}

export function context(people: ContactCard[], documents: Document[], over: Partial<OpportunityContext> = {}): OpportunityContext {
  const groups: { role: Role; contacts: ContactCard[] }[] = [];
  for (const p of people) {
    const g = groups.find((x) => x.role === p.role);
    if (g) g.contacts.push(p);
    else groups.push({ role: p.role, contacts: [p] });
  }
  return {
    opportunity: { id: "006A", name: "Acme expansion", stage: "Negotiation", amount: 120000, currency: "USD" },
    account: { id: "001A", name: "Acme" },
    groups,
    missing_roles: [],
    documents,
    recent_calls: [],
    total_contacts: people.length,
    total_documents: documents.length,
    next_contacts_offset: null,
    next_documents_offset: null,
    source: "store",
    page: null,
    fields: {},
    ...over,
  };
}

export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
