// What the user does to the deal in view: set a contact's role and primary flag, add a
// note to a contact (both also written back to the CRM the followed call's page came from,
// when that CRM is set up here), send a contact a message, and present a document to the
// call (`call.message` with its link, then `calllog.update documents_presented`).

import type { ContactCard, Document, Params, Role } from "../../protocol/index";
import { orderGroups } from "../people";
import { isLive, writeBackCrm } from "./facts";
import { errorCode, type StoreCore } from "./state";

export class DealEdits {
  constructor(private readonly core: StoreCore) {}

  /**
   * An edit, also written back to the CRM the followed call's page came from; stored
   * here alone when that CRM is not set up on this computer.
   */
  private async withWriteBack<M extends "context.set_role" | "context.add_note">(method: M, params: Params<M>): Promise<void> {
    const crm = writeBackCrm(this.core.focused());
    try {
      await this.core.client.request(method, { ...params, ...(crm ? { crm } : {}) });
    } catch (err) {
      if (!crm || errorCode(err) !== "unavailable") throw err;
      await this.core.client.request(method, params);
    }
  }

  async setRole(card: ContactCard, role: Role, isPrimary: boolean): Promise<boolean> {
    const { core } = this;
    const context = core.state.context;
    if (!context) return false;
    const params = { opportunity_id: context.opportunity.id, contact_id: card.contact.id, role, is_primary: isPrimary };
    const ok = await core.act(() => this.withWriteBack("context.set_role", params), "notice_save_failed");
    if (!ok) return false;
    const people = orderGroups(
      core.state.people.map((p) => {
        if (p.contact.id === card.contact.id) return { ...p, role, is_primary: isPrimary };
        return isPrimary ? { ...p, is_primary: false } : p;
      }),
    );
    const present = new Set(people.map((p) => p.role));
    const missing = context.missing_roles.filter((r) => !present.has(r));
    const keyRoles: Role[] = ["decision_maker", "economic_buyer"];
    for (const r of keyRoles) if (!present.has(r) && !missing.includes(r)) missing.push(r);
    core.set({ people, context: { ...context, missing_roles: keyRoles.filter((r) => missing.includes(r)) } });
    core.notify("info", "notice_saved", []);
    return true;
  }

  async addNote(card: ContactCard, body: string): Promise<boolean> {
    const { core } = this;
    const context = core.state.context;
    const params = { contact_id: card.contact.id, body, ...(context ? { opportunity_id: context.opportunity.id } : {}) };
    const ok = await core.act(() => this.withWriteBack("context.add_note", params), "notice_save_failed");
    if (!ok) return false;
    core.set({
      people: core.state.people.map((p) => (p.contact.id === card.contact.id ? { ...p, notes: [...p.notes, body] } : p)),
    });
    core.notify("info", "notice_saved", []);
    return true;
  }

  sendMessage(to: string, text: string): Promise<boolean> {
    const { core } = this;
    return core.act(async () => {
      await core.client.request("message.send", { to, text });
      core.notify("info", "notice_message_sent", [to]);
    }, "notice_message_failed_send");
  }

  /** Sends the document's link into the call as a message and logs it as presented. */
  async present(doc: Document): Promise<boolean> {
    const { core } = this;
    const call = core.focused();
    if (!call || !isLive(call) || !doc.url) return false;
    const done = core.state.presented[call.id] ?? [];
    const ok = await core.act(async () => {
      await core.client.request("call.message", { call_id: call.id, text: `${doc.title}: ${doc.url}` });
      const presented = done.includes(doc.id) ? done : [...done, doc.id];
      core.set({ presented: { ...core.state.presented, [call.id]: presented } });
      await core.client.request("calllog.update", { call_id: call.id, documents_presented: presented });
    }, "notice_present_failed");
    if (ok) core.notify("info", "notice_presented", [doc.title]);
    return ok;
  }
}
