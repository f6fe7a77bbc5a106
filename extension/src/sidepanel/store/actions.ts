// What the user does to calls: mute, hold, record, keypad, hang up, answer (holding the
// call in progress), decline, blind transfer, attended transfer (hold + consult +
// `call.transfer_attended`, or back to the held call), add a participant, and call a contact
// of the deal in view. A failure becomes a notice; each action answers whether it worked.

import type { CallTracker } from "./calls";
import { isLive } from "./facts";
import type { StoreCore } from "./state";

export class CallActions {
  constructor(
    private readonly core: StoreCore,
    private readonly calls: CallTracker,
  ) {}

  private callId(): string | null {
    return this.core.state.focusId;
  }

  toggleMute(): Promise<boolean> {
    const call = this.core.focused();
    if (!call) return Promise.resolve(false);
    return this.core.act(() => this.core.client.request(call.muted ? "call.unmute" : "call.mute", { call_id: call.id }));
  }

  toggleHold(): Promise<boolean> {
    const call = this.core.focused();
    if (!call) return Promise.resolve(false);
    return this.core.act(() => this.core.client.request(call.held ? "call.resume" : "call.hold", { call_id: call.id }));
  }

  toggleRecord(): Promise<boolean> {
    const call = this.core.focused();
    if (!call) return Promise.resolve(false);
    return this.core.act(() => this.core.client.request("call.record", { call_id: call.id, on: call.recording === null }));
  }

  sendDigits(digits: string): Promise<boolean> {
    const id = this.callId();
    if (!id) return Promise.resolve(false);
    return this.core.act(() => this.core.client.request("call.dtmf", { call_id: id, digits }));
  }

  hangUp(callId = this.callId()): Promise<boolean> {
    if (!callId) return Promise.resolve(false);
    return this.core.act(() => this.core.client.request("call.hangup", { call_id: callId }));
  }

  answer(callId: string): Promise<boolean> {
    const { core } = this;
    return core.act(async () => {
      const focused = core.focused();
      if (focused && isLive(focused) && !focused.held && focused.state === "confirmed") {
        await core.client.request("call.hold", { call_id: focused.id });
      }
      await core.client.request("call.answer", { call_id: callId });
      this.calls.focus(callId);
    });
  }

  decline(callId: string): Promise<boolean> {
    return this.core.act(() => this.core.client.request("call.decline", { call_id: callId, code: 486 }));
  }

  transferBlind(target: string): Promise<boolean> {
    const { core } = this;
    const id = this.callId();
    if (!id) return Promise.resolve(false);
    return core.act(async () => {
      await core.client.request("call.transfer", { call_id: id, target });
      core.notify("info", "notice_transferred", [target]);
    }, "notice_transfer_failed");
  }

  /** Attended transfer, first half: hold this call and call the target. */
  consult(target: string): Promise<boolean> {
    const { core } = this;
    const call = core.focused();
    if (!call) return Promise.resolve(false);
    return core.act(async () => {
      if (!call.held) await core.client.request("call.hold", { call_id: call.id });
      const placed = await core.client.request("call.place", { target, account_id: call.account_id });
      core.set({ consults: { ...core.state.consults, [call.id]: placed.call.id } });
      if (!core.state.calls.some((c) => c.id === placed.call.id)) {
        core.set({ calls: [...core.state.calls, placed.call] });
      }
    }, "notice_transfer_failed");
  }

  /** Attended transfer, second half: the two other parties are connected. */
  completeTransfer(): Promise<boolean> {
    const { core } = this;
    const id = this.callId();
    const consultId = id ? core.state.consults[id] : undefined;
    if (!id || !consultId) return Promise.resolve(false);
    return core.act(async () => {
      await core.client.request("call.transfer_attended", { call_id: id, consult_call_id: consultId });
      const { [id]: _done, ...rest } = core.state.consults;
      core.set({ consults: rest });
      core.notify("info", "notice_transferred", [""]);
    }, "notice_transfer_failed");
  }

  /** Hangs up the consultation and goes back to the held call. */
  cancelConsult(): Promise<boolean> {
    const { core } = this;
    const id = this.callId();
    const consultId = id ? core.state.consults[id] : undefined;
    if (!id || !consultId) return Promise.resolve(false);
    return core.act(async () => {
      await core.client.request("call.hangup", { call_id: consultId }).catch(() => undefined);
      const { [id]: _gone, ...rest } = core.state.consults;
      core.set({ consults: rest });
      await core.client.request("call.resume", { call_id: id });
    });
  }

  addParticipant(target: string): Promise<boolean> {
    const { core } = this;
    const id = this.callId();
    if (!id) return Promise.resolve(false);
    return core.act(async () => {
      const { call } = await core.client.request("call.add_participant", { call_id: id, target });
      if (core.state.context) core.placedFor.set(call.id, core.state.context.opportunity.id);
      core.notify("info", "notice_added", [target]);
    }, "notice_add_failed");
  }

  /** Calls a contact of the opportunity in view; the call stays tied to that deal. */
  callTarget(target: string): Promise<boolean> {
    const { core } = this;
    const opportunityId = core.state.context?.opportunity.id;
    core.placing = opportunityId ?? null;
    return core.act(async () => {
      try {
        const { call } = await core.client.request("call.place", { target });
        if (opportunityId && !core.placedFor.has(call.id)) core.placedFor.set(call.id, opportunityId);
        if (!core.state.calls.some((c) => c.id === call.id)) this.calls.onCall(call);
      } finally {
        core.placing = null;
      }
    }, "notice_call_failed");
  }
}
