// Incoming calls while the panel may be closed: a system notification naming the caller
// (matched to a contact and deal through `context.get {phone}`), with Answer and Decline
// buttons where the browser has them (Chromium), cleared when the call stops ringing. A
// click on the notification opens the panel, which shows the caller and the deal.

import type { CallInfo } from "../protocol/index";
import type { HostConnection } from "./host-connection";
import type { Logger } from "./logger";
import type { PanelOpener } from "./panel-opener";
import { formatNumber } from "../shared/phone/format";
import { message } from "./system-notifications";

const PREFIX = "rolecall-incoming-";

export class InboundNotifier {
  private readonly shown = new Set<string>();

  constructor(
    private readonly host: HostConnection,
    private readonly panels: PanelOpener,
    private readonly logger: Logger,
    private readonly buttons: boolean,
  ) {
    host.onEvent((event) => {
      if (event.type === "call.updated") void this.onCall((event.payload as { call: CallInfo }).call);
    });
    const notifications = chrome.notifications;
    if (!notifications) return;
    notifications.onButtonClicked?.addListener((id, index) => {
      if (!id.startsWith(PREFIX)) return;
      const callId = id.slice(PREFIX.length);
      const request =
        index === 0 ? this.host.request("call.answer", { call_id: callId }) : this.host.request("call.decline", { call_id: callId, code: 486 });
      if (index === 0) this.panels.open(undefined, chrome.windows?.WINDOW_ID_CURRENT);
      request.catch((err: unknown) => this.logger.warn("answering from the notification failed", String(err)));
      void notifications.clear(id);
    });
    notifications.onClicked.addListener((id) => {
      if (!id.startsWith(PREFIX)) return;
      this.panels.open(undefined, chrome.windows?.WINDOW_ID_CURRENT);
    });
  }

  private async onCall(call: CallInfo): Promise<void> {
    const id = PREFIX + call.id;
    if (call.direction !== "inbound") return;
    if (call.state !== "ringing") {
      if (this.shown.delete(call.id)) void chrome.notifications?.clear(id);
      return;
    }
    if (this.shown.has(call.id) || !chrome.notifications) return;
    this.shown.add(call.id);
    const number = call.e164 ? formatNumber(call.e164) : call.remote_display || call.remote_uri.replace(/^.*<|>.*$/g, "");
    let text = message("notification_incoming_body", [number], `${number} is calling.`);
    if (call.e164) {
      try {
        const { context, matches } = await this.host.request("context.get", { phone: call.e164, page_size: 1 });
        const match = matches[0];
        if (match) {
          const name = `${match.contact.first_name ?? ""} ${match.contact.last_name}`.trim();
          const deal = context?.opportunity.name ?? match.opportunity_name;
          text = message("notification_incoming_known", [name, number, deal], `${name} (${number}) is calling about ${deal}.`);
        }
      } catch {
        // no match: the number alone
      }
    }
    if (!this.shown.has(call.id)) return; // stopped ringing meanwhile
    const options: chrome.notifications.NotificationCreateOptions = {
      type: "basic",
      iconUrl: chrome.runtime.getURL("icons/icon-128.png"),
      title: message("notification_incoming_title", [], "Incoming call"),
      message: text,
      priority: 2,
      ...(this.buttons
        ? {
            requireInteraction: true,
            buttons: [{ title: message("answer", [], "Answer") }, { title: message("decline", [], "Decline") }],
          }
        : {}),
    };
    try {
      await chrome.notifications.create(id, options);
    } catch (err) {
      this.logger.warn("could not show the incoming call notification", String(err));
    }
  }

  /** Call ids with a notification up (for tests). */
  active(): string[] {
    return [...this.shown];
  }
}
