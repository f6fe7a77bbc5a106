// The bridge between UI pages (side panel, the same page opened as a tab) and the host
// connection, over runtime ports named "rolecall-ui": each port gets the current state
// at once and then every change and every host event; it may proxy protocol requests
// and ask for an immediate reconnect. Everything a UI port sends is validated first.

import { isMethodName, type MethodName, type Params } from "../protocol/index";
import { UI_PORT_NAME, parseUiMessage, postToUi, type BackgroundToUi, type UiRequest } from "../shared/ui-messages";
import type { DialConfirmations } from "./dial-confirm";
import type { HostConnection } from "./host-connection";
import { HostError } from "./host-error";
import type { Logger } from "./logger";

/** The part of chrome.runtime.Port used here. */
export interface UiPort {
  name: string;
  sender?: { id?: string; url?: string };
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: () => void): void };
}

export interface UiBridgeOptions {
  host: HostConnection;
  logger: Logger;
  /** This extension's id (chrome.runtime.id). */
  extensionId: string;
  /** This extension's origin with a trailing slash (chrome.runtime.getURL("")). */
  extensionOrigin: string;
  /** Page calls waiting for the user's word, offered to every UI page. */
  dials?: DialConfirmations;
}

export class UiBridge {
  private readonly ports = new Set<UiPort>();

  constructor(private readonly opts: UiBridgeOptions) {
    opts.host.onState((state) => this.broadcast({ type: "state", state }));
    opts.host.onEvent((event) => this.broadcast({ type: "event", event }));
    opts.dials?.onChange((pending) => this.broadcast({ type: "dial-confirm", pending }));
  }

  /** How many UI pages are connected. */
  get size(): number {
    return this.ports.size;
  }

  /** For runtime.onConnect: takes ports named "rolecall-ui" from this extension's own pages. */
  accept(port: UiPort): boolean {
    if (port.name !== UI_PORT_NAME) return false;
    const sender = port.sender;
    if (!sender || sender.id !== this.opts.extensionId || !(sender.url ?? "").startsWith(this.opts.extensionOrigin)) {
      this.opts.logger.warn(`refused a ${UI_PORT_NAME} port from ${sender?.url ?? "an unknown sender"}`);
      port.disconnect();
      return false;
    }
    this.ports.add(port);
    port.onDisconnect.addListener(() => this.ports.delete(port));
    port.onMessage.addListener((message) => this.onMessage(port, message));
    this.post(port, { type: "state", state: this.opts.host.state() });
    if (this.opts.dials) this.post(port, { type: "dial-confirm", pending: this.opts.dials.list() });
    return true;
  }

  private onMessage(port: UiPort, raw: unknown): void {
    const message = parseUiMessage(raw);
    if (!message) {
      this.opts.logger.warn("ignored a malformed message from a UI port");
      return;
    }
    if (message.type === "dial-answer") {
      void this.opts.dials?.answer(message.id, message.accept);
      return;
    }
    if (message.type === "retry") {
      this.opts.logger.info("reconnect requested by the UI");
      this.opts.host.reconnectNow();
      return;
    }
    void this.proxy(port, message);
  }

  private async proxy(port: UiPort, message: UiRequest): Promise<void> {
    const { id, method, params } = message;
    let reply: BackgroundToUi;
    try {
      if (!isMethodName(method)) throw new HostError("unknown_type", `No method named ${method}.`, { method });
      if (method === "hello") {
        throw new HostError("invalid_message", "hello is sent by the background itself.", { method });
      }
      const result = await this.opts.host.request(method as MethodName, params as Params<MethodName>);
      reply = { type: "response", id, ok: true, result: result as unknown as Record<string, unknown> };
    } catch (err) {
      reply = { type: "response", id, ok: false, error: HostError.from(err).toInfo() };
    }
    if (this.ports.has(port)) this.post(port, reply);
  }

  private broadcast(message: BackgroundToUi): void {
    for (const port of [...this.ports]) this.post(port, message);
  }

  private post(port: UiPort, message: BackgroundToUi): void {
    try {
      postToUi(port, message);
    } catch {
      this.ports.delete(port); // the page went away
    }
  }
}
