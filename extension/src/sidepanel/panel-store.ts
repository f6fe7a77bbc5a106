// The side panel's model, as the components see it: one object over one state, whose parts
// live in `store/` — `state.ts` (the state, its subscribers, notices), `calls.ts` (the
// host's calls and the one followed), `deal.ts` (the deal that call is about), `actions.ts`
// (call controls and transfers), `edits.ts` (role and note edits, messages, presenting),
// `wrapup.ts` (notes, disposition, the final log), `audio.ts` (the sound devices in use),
// `transfers.ts` (transfers the far end asks for, offered to the user).
// `transcripts.ts` (each call's transcript progress and summary).
// Components only read its snapshots and
// call its methods; everything that reaches the host goes through `PanelClient.request`,
// so the model is tested without a browser.

import type { CallInfo, ContactCard, Document, Role } from "../protocol/index";
import { CallActions } from "./store/actions";
import { AudioModel } from "./store/audio";
import { CallTracker } from "./store/calls";
import { DealContext } from "./store/deal";
import { DealEdits } from "./store/edits";
import { type Notice, type PanelClient, type PanelState, StoreCore } from "./store/state";
import { WrapUp } from "./store/wrapup";
import { TransferOffers } from "./store/transfers";
import { TranscriptModel } from "./store/transcripts";

export { contactTarget, isLive, isRingingInbound, userPartNumber } from "./store/facts";
export { chosenFor, devicesFor } from "./store/audio";
export type { AudioModel, AudioRole, AudioView } from "./store/audio";
export type { TransferOfferView, TransferOffers } from "./store/transfers";
export type { TranscriptModel, TranscriptsView } from "./store/transcripts";
export type { LoadStatus, Notice, PanelClient, PanelState, SaveStatus } from "./store/state";

export class PanelStore {
  private readonly core: StoreCore;
  private readonly deal: DealContext;
  private readonly calls: CallTracker;
  private readonly actions: CallActions;
  private readonly edits: DealEdits;
  private readonly wrapUp: WrapUp;
  /** The sound devices in use, with their own subscribers. */
  readonly audio: AudioModel;
  /** Transfers the far end asks for, with their own subscribers. */
  readonly transfers: TransferOffers;
  /** The host connection, for parts that keep no state here (the CRM sign-in notice). */
  readonly client: PanelClient;
  /** Each call's transcript progress, summary and action items (`store/transcripts.ts`). */
  readonly transcripts: TranscriptModel;

  constructor(client: PanelClient) {
    this.client = client;
    this.core = new StoreCore(client);
    this.deal = new DealContext(this.core);
    this.calls = new CallTracker(this.core, this.deal);
    this.actions = new CallActions(this.core, this.calls);
    this.edits = new DealEdits(this.core);
    this.wrapUp = new WrapUp(this.core, this.deal);
    this.audio = new AudioModel(client);
    this.transfers = new TransferOffers(this.core, (call) => {
      this.calls.onCall(call);
      this.calls.focus(call.id);
    });
    this.transcripts = new TranscriptModel(client);
  }

  // ---- state and notices
  get snapshot(): PanelState {
    return this.core.state;
  }
  subscribe(listener: (state: PanelState) => void): () => void {
    return this.core.subscribe(listener);
  }
  notify(kind: Notice["kind"], key: string, subs: string[]): void {
    this.core.notify(kind, key, subs);
  }
  dismissNotice(): void {
    this.core.set({ notice: null });
  }
  focused(): CallInfo | undefined {
    return this.core.focused();
  }

  // ---- calls
  start(): void {
    this.calls.start();
    this.audio.start();
    this.transfers.start();
    this.transcripts.start();
  }
  stop(): void {
    this.calls.stop();
    this.audio.stop();
    this.transfers.stop();
    this.transcripts.stop();
  }
  async refresh(): Promise<void> {
    await Promise.all([this.calls.refresh(), this.transfers.load()]);
  }
  ringing(): CallInfo[] {
    return this.calls.ringing();
  }
  focus(callId: string): void {
    this.calls.focus(callId);
  }

  // ---- the deal
  lookUpCaller(phone: string): Promise<void> {
    return this.deal.lookUpCaller(phone);
  }
  pickOpportunity(opportunityId: string): Promise<void> {
    return this.deal.pickOpportunity(opportunityId);
  }
  loadHistory(): Promise<void> {
    return this.deal.loadHistory();
  }
  markShown(): void {
    this.deal.markShown();
  }

  // ---- call controls
  toggleMute(): Promise<boolean> {
    return this.actions.toggleMute();
  }
  toggleHold(): Promise<boolean> {
    return this.actions.toggleHold();
  }
  toggleRecord(): Promise<boolean> {
    return this.actions.toggleRecord();
  }
  sendDigits(digits: string): Promise<boolean> {
    return this.actions.sendDigits(digits);
  }
  hangUp(callId?: string | null): Promise<boolean> {
    return this.actions.hangUp(callId);
  }
  answer(callId: string): Promise<boolean> {
    return this.actions.answer(callId);
  }
  decline(callId: string): Promise<boolean> {
    return this.actions.decline(callId);
  }
  transferBlind(target: string): Promise<boolean> {
    return this.actions.transferBlind(target);
  }
  consult(target: string): Promise<boolean> {
    return this.actions.consult(target);
  }
  completeTransfer(): Promise<boolean> {
    return this.actions.completeTransfer();
  }
  cancelConsult(): Promise<boolean> {
    return this.actions.cancelConsult();
  }
  addParticipant(target: string): Promise<boolean> {
    return this.actions.addParticipant(target);
  }
  callTarget(target: string): Promise<boolean> {
    return this.actions.callTarget(target);
  }

  // ---- edits to the deal, presenting
  setRole(card: ContactCard, role: Role, isPrimary: boolean): Promise<boolean> {
    return this.edits.setRole(card, role, isPrimary);
  }
  addNote(card: ContactCard, body: string): Promise<boolean> {
    return this.edits.addNote(card, body);
  }
  sendMessage(to: string, text: string): Promise<boolean> {
    return this.edits.sendMessage(to, text);
  }
  present(doc: Document): Promise<boolean> {
    return this.edits.present(doc);
  }

  // ---- wrap-up
  editNotes(callId: string, text: string): void {
    this.wrapUp.editNotes(callId, text);
  }
  saveNotes(callId: string): Promise<boolean> {
    return this.wrapUp.saveNotes(callId);
  }
  setDisposition(callId: string, disposition: string): void {
    this.wrapUp.setDisposition(callId, disposition);
  }
  finishWrapUp(callId: string): Promise<boolean> {
    return this.wrapUp.finishWrapUp(callId);
  }
}
