// The side panel's end of the "rolecall-ui" port: connects to the background, keeps the
// latest connection state, proxies requests, and reconnects the port when the
// background restarts (a Chromium service worker can be stopped and started again).

import type { EventMessage, MethodName, Params, Result } from "../protocol/index";
import { isConnectionStatus, type ConnectionState } from "./state";
import { UI_PORT_NAME, postToBackground, type DialConfirmInfo, type UiToBackground } from "./ui-messages";

type Listener = (state: ConnectionState, receivedAt: number) => void;

interface PendingUi {
  resolve(result: unknown): void;
  reject(error: Error & { code?: string; details?: unknown }): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isState(value: unknown): value is ConnectionState {
  return (
    isRecord(value) &&
    isConnectionStatus(value.status) &&
    typeof value.message === "string" &&
    typeof value.since === "number"
  );
}

function isDialConfirmInfo(value: unknown): value is DialConfirmInfo {
  return (
    isRecord(value) &&
    (value.reason === "link_mismatch" || value.reason === "sip_domain") &&
    ["id", "shown", "target", "display", "site"].every((key) => typeof value[key] === "string")
  );
}

export class BackgroundClient {
  private port: chrome.runtime.Port | null = null;
  private readonly stateListeners = new Set<Listener>();
  private readonly eventListeners = new Set<(event: EventMessage) => void>();
  private readonly pending = new Map<string, PendingUi>();
  private serial = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private last: { state: ConnectionState; at: number } | null = null;
  private readonly dialListeners = new Set<(pending: DialConfirmInfo[]) => void>();
  private dials: DialConfirmInfo[] = [];

  connect(): void {
    this.closed = false;
    if (this.port) return;
    let port: chrome.runtime.Port;
    try {
      port = chrome.runtime.connect({ name: UI_PORT_NAME });
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.port = port;
    port.onMessage.addListener((message: unknown) => this.onMessage(message));
    port.onDisconnect.addListener(() => {
      void chrome.runtime.lastError; // read it, so Chromium does not log it as unchecked
      this.port = null;
      for (const [, entry] of this.pending) {
        entry.reject(Object.assign(new Error("The background restarted."), { code: "disconnected" }));
      }
      this.pending.clear();
      if (!this.closed) this.scheduleReconnect();
    });
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.port?.disconnect();
    this.port = null;
  }

  /** The latest state from the background, if one has arrived. */
  get lastState(): { state: ConnectionState; at: number } | null {
    return this.last;
  }

  /** Calls `listener` with every new state, starting with the latest one if any. */
  onState(listener: Listener): () => void {
    this.stateListeners.add(listener);
    if (this.last) listener(this.last.state, this.last.at);
    return () => this.stateListeners.delete(listener);
  }

  onEvent(listener: (event: EventMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Calls `listener` with the page calls waiting for confirmation, now and on each change. */
  onDialConfirm(listener: (pending: DialConfirmInfo[]) => void): () => void {
    this.dialListeners.add(listener);
    listener(this.dials);
    return () => this.dialListeners.delete(listener);
  }

  /** The user's answer to a waiting page call. */
  answerDial(id: string, accept: boolean): boolean {
    return this.send({ type: "dial-answer", id, accept });
  }

  /** Asks the background to reconnect to the host now. */
  retry(): void {
    if (!this.port) this.connect();
    this.send({ type: "retry" });
  }

  /** A protocol request, proxied by the background. */
  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const id = `u-${++this.serial}`;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      if (!this.send({ type: "request", id, method, params: params as Record<string, unknown> })) {
        this.pending.delete(id);
        reject(Object.assign(new Error("Not connected to the background."), { code: "disconnected" }));
      }
    });
  }

  private send(message: UiToBackground): boolean {
    try {
      if (!this.port) return false;
      postToBackground(this.port, message);
      return true;
    } catch {
      return false;
    }
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== null) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, 500);
  }

  private onMessage(message: unknown): void {
    if (!isRecord(message)) return;
    if (message.type === "state" && isState(message.state)) {
      const state = message.state;
      const at = Date.now();
      this.last = { state, at };
      for (const listener of [...this.stateListeners]) listener(state, at);
    } else if (message.type === "dial-confirm" && Array.isArray(message.pending)) {
      this.dials = message.pending.filter(isDialConfirmInfo);
      for (const listener of [...this.dialListeners]) listener(this.dials);
    } else if (message.type === "event" && isRecord(message.event)) {
      const event = message.event as unknown as EventMessage;
      for (const listener of [...this.eventListeners]) listener(event);
    } else if (message.type === "response" && typeof message.id === "string") {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (message.ok === true) entry.resolve(message.result);
      else {
        const info = isRecord(message.error) ? message.error : {};
        entry.reject(
          Object.assign(new Error(typeof info.message === "string" ? info.message : "Request failed."), {
            code: typeof info.code === "string" ? info.code : "internal",
            details: info.details,
          }),
        );
      }
    }
  }
}
