// Transfers a far end asks for while the panel may be closed: each pending offer
// (`call.transfer_requested`) becomes a system notification, "Anna asks to transfer you to
// +1 900 555 0100", with Accept and Decline where the browser has buttons (Chromium); in
// Firefox a click opens the panel, which lists the offer. The toolbar badge counts the
// pending offers. A notification goes when its offer ends (`call.transfer_ended`) or is
// answered from it. Nothing is dialled except by the user's Accept, which asks the host
// (`call.transfer_accept`) like the panel's button. On (re)connecting, the host's own list
// (`calls.transfer_offers`) replaces what this worker remembers.

import type { EventMessage, TransferEndedPayload, TransferRequestedPayload } from "../protocol/index";
import type { HostConnection } from "./host-connection";
import type { Logger } from "./logger";
import { formatNumber, formatUri } from "../shared/phone/format";
import { message, plainLine, type NotificationSurface } from "./system-notifications";

const PREFIX = "rolecall-transfer-";

export const ACCEPT_BUTTON = 0;
export const DECLINE_BUTTON = 1;

type Host = Pick<HostConnection, "request" | "onEvent" | "onState">;

/** Something that opens the panel now (`PanelOpener.open` for the current window). */
export type OpenPanel = () => void;

/** Who asks, in words: their display name, else their number or address. */
export function askerWords(by: TransferRequestedPayload["by"]): string {
  const display = plainLine(by.display);
  if (display) return display;
  return plainLine(by.e164 ? formatNumber(by.e164) : formatUri(by.uri));
}

/** Whom we would call, in words: a formatted number, else the SIP address. */
export function targetWords(target: string): string {
  return plainLine(/^\+\d+$/.test(target) ? formatNumber(target) : formatUri(target));
}

export function notificationId(requestId: string): string {
  return PREFIX + requestId;
}

export class TransferNotifier {
  /** Pending offers with a notification up, by request id. */
  private readonly pending = new Set<string>();

  constructor(
    private readonly host: Host,
    private readonly surface: NotificationSurface,
    private readonly openPanel: OpenPanel,
    private readonly logger: Logger,
    private readonly buttons: boolean,
  ) {
    host.onEvent((event) => this.onEvent(event));
    let wasConnected = false;
    host.onState((state) => {
      const connected = state.status === "connected";
      if (connected && !wasConnected) void this.sync();
      wasConnected = connected;
    });
    surface.onButton((id, index) => this.button(id, index));
    surface.onClick((id) => {
      if (id.startsWith(PREFIX)) this.openPanel();
    });
  }

  /** What a click on a notification's button does: Accept (0) or Decline (1). */
  button(id: string, index: number): void {
    if (!id.startsWith(PREFIX)) return;
    const requestId = id.slice(PREFIX.length);
    if (!this.pending.has(requestId)) return;
    this.end(requestId);
    if (index === ACCEPT_BUTTON) {
      // The panel shows the call the host places; open it while the click's gesture lasts.
      this.openPanel();
      this.host
        .request("call.transfer_accept", { request_id: requestId })
        .catch((err: unknown) => this.logger.warn("accepting the transfer from the notification failed", String(err)));
    } else if (index === DECLINE_BUTTON) {
      this.host
        .request("call.transfer_decline", { request_id: requestId })
        .catch((err: unknown) => this.logger.warn("declining the transfer from the notification failed", String(err)));
    }
  }

  /** Request ids of the offers with a notification up (for tests). */
  active(): string[] {
    return [...this.pending];
  }

  private onEvent(event: EventMessage): void {
    if (event.type === "call.transfer_requested") void this.offered(event.payload as unknown as TransferRequestedPayload);
    else if (event.type === "call.transfer_ended") this.end((event.payload as unknown as TransferEndedPayload).request_id);
  }

  /** Makes the notifications match the host's pending offers. */
  private async sync(): Promise<void> {
    try {
      const { offers } = await this.host.request("calls.transfer_offers", {});
      const held = new Set((offers ?? []).map((o) => o.request_id));
      for (const requestId of [...this.pending]) if (!held.has(requestId)) this.end(requestId);
      for (const offer of offers ?? []) await this.offered(offer);
    } catch (err) {
      this.logger.warn("could not list the pending transfer requests", String(err));
    }
  }

  private async offered(offer: TransferRequestedPayload): Promise<void> {
    if (this.pending.has(offer.request_id)) return;
    this.pending.add(offer.request_id);
    this.surface.badge(String(this.pending.size));
    const by = askerWords(offer.by);
    const target = targetWords(offer.target);
    const text = this.buttons
      ? message("transfer_offer_ask", [by, target], `${by} asks to transfer you to ${target}`)
      : message("notification_transfer_click", [by, target], `${by} asks to transfer you to ${target}. Click to accept or decline it in Rolecall.`);
    try {
      await this.surface.show(notificationId(offer.request_id), {
        title: message("transfer_offer_title", [], "Transfer request"),
        message: text,
        ...(this.buttons
          ? { buttons: [message("transfer_accept", [], "Accept"), message("transfer_decline", [], "Decline")] }
          : {}),
      });
    } catch (err) {
      this.logger.warn("could not show the transfer request notification", String(err));
    }
    // Ended while the notification was being made: take it down again.
    if (!this.pending.has(offer.request_id)) this.surface.clear(notificationId(offer.request_id));
  }

  private end(requestId: string): void {
    if (!this.pending.delete(requestId)) return;
    this.surface.clear(notificationId(requestId));
    this.surface.badge(this.pending.size ? String(this.pending.size) : "");
  }
}
