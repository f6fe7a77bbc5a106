// Transfers the far end asks for: the host declines every REFER and, when the target passes
// the dial plan, offers it here (`call.transfer_requested`) until the user accepts
// (`call.transfer_accept`, which places the call), declines (`call.transfer_decline`), the
// offer lapses or its call ends (`call.transfer_ended`). A request the host refused outright
// (`call.transfer_refused`) and a lapsed offer become notices; the call an accepted offer
// placed takes the card. Its own small state with its
// own subscribers, like the audio model; `calls.transfer_offers` fills it in when the panel
// opens or reconnects.

import type { CallInfo, EventMessage, TransferEndedPayload, TransferRefusedPayload, TransferRequestedPayload } from "../../protocol/index";
import { formatNumber, formatUri } from "../../shared/phone/format";
import type { StoreCore } from "./state";

export interface TransferOfferView {
  requestId: string;
  callId: string;
  /** Who asks, as the panel words them: display name, else their number or address. */
  by: string;
  /** Whom we would call: a formatted number, else the SIP address. */
  target: string;
  attended: boolean;
  /** Date.now() when the host lets the offer lapse. */
  expiresAt: number;
  /** A request for it is on its way to the host. */
  busy: boolean;
}

/** The asking party in words: their display name, else their number or address. */
export function partyWords(party: TransferRequestedPayload["by"]): string {
  if (party.display) return party.display;
  return party.e164 ? formatNumber(party.e164) : formatUri(party.uri);
}

export class TransferOffers {
  private current: TransferOfferView[] = [];
  private readonly listeners = new Set<(offers: TransferOfferView[]) => void>();
  private stopEvents: (() => void) | null = null;

  /** `placed` hears of the call an accepted offer placed (the panel follows it). */
  constructor(
    private readonly core: StoreCore,
    private readonly placed: (call: CallInfo) => void = () => undefined,
  ) {}

  get offers(): TransferOfferView[] {
    return this.current;
  }

  subscribe(listener: (offers: TransferOfferView[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stopEvents ??= this.core.client.onEvent((event) => this.onEvent(event));
    void this.load();
  }

  /** The offers the host still holds (asked for before this panel opened or reconnected). */
  async load(): Promise<void> {
    try {
      const { offers } = await this.core.client.request("calls.transfer_offers", {});
      const pending = new Set((offers ?? []).map((o) => o.request_id));
      this.set(this.current.filter((o) => pending.has(o.requestId)));
      for (const offer of offers ?? []) this.offered(offer);
    } catch {
      // not connected yet: the connection state says so; events will fill in
    }
  }

  stop(): void {
    this.stopEvents?.();
    this.stopEvents = null;
  }

  /** Places the call the far end asked for; the offer goes once the host has it. */
  async accept(requestId: string): Promise<boolean> {
    return this.answer(requestId, async () => {
      const { call } = await this.core.client.request("call.transfer_accept", { request_id: requestId });
      this.placed(call);
    });
  }

  async decline(requestId: string): Promise<boolean> {
    return this.answer(requestId, () => this.core.client.request("call.transfer_decline", { request_id: requestId }));
  }

  private async answer(requestId: string, send: () => Promise<unknown>): Promise<boolean> {
    if (!this.current.some((o) => o.requestId === requestId)) return false;
    this.patch(requestId, { busy: true });
    const ok = await this.core.act(send);
    // Done, or the offer is gone at the host (lapsed, its call ended): either way it is over.
    this.remove(requestId);
    return ok;
  }

  private onEvent(event: EventMessage): void {
    if (event.type === "call.transfer_requested") this.offered(event.payload as unknown as TransferRequestedPayload);
    else if (event.type === "call.transfer_ended") this.ended(event.payload as unknown as TransferEndedPayload);
    else if (event.type === "call.transfer_refused") {
      const p = event.payload as unknown as TransferRefusedPayload;
      this.core.notify("error", "notice_transfer_refused", [partyWords(p.by), formatUri(p.target), p.reason]);
    }
  }

  private offered(p: TransferRequestedPayload): void {
    if (this.current.some((o) => o.requestId === p.request_id)) return;
    const offer: TransferOfferView = {
      requestId: p.request_id,
      callId: p.call_id,
      by: partyWords(p.by),
      target: /^\+\d+$/.test(p.target) ? formatNumber(p.target) : formatUri(p.target),
      attended: p.attended,
      expiresAt: Date.now() + p.expires_in_s * 1000,
      busy: false,
    };
    this.set([...this.current, offer]);
  }

  private ended(p: TransferEndedPayload): void {
    const offer = this.current.find((o) => o.requestId === p.request_id);
    if (!offer) return;
    this.remove(p.request_id);
    if (p.outcome === "expired") this.core.notify("info", "notice_transfer_expired", [offer.by]);
  }

  private patch(requestId: string, change: Partial<TransferOfferView>): void {
    this.set(this.current.map((o) => (o.requestId === requestId ? { ...o, ...change } : o)));
  }

  private remove(requestId: string): void {
    if (this.current.some((o) => o.requestId === requestId)) this.set(this.current.filter((o) => o.requestId !== requestId));
  }

  private set(offers: TransferOfferView[]): void {
    this.current = offers;
    for (const listener of [...this.listeners]) listener(this.current);
  }
}
