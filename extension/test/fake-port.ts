// A stand-in for chrome.runtime.Port and connectNative, for unit tests of the host
// connection only; the real browser is exercised by the end-to-end tests.

import type { NativePort } from "../src/background/host-connection";
import type { RequestMessage } from "../src/protocol/index";

export class FakePort implements NativePort {
  readonly sent: unknown[] = [];
  disconnectedByClient = false;
  closed = false;
  error: string | undefined;
  private readonly messageListeners: Array<(message: unknown) => void> = [];
  private readonly disconnectListeners: Array<(port: NativePort) => void> = [];

  constructor(readonly name: string) {}

  readonly onMessage = {
    addListener: (callback: (message: unknown) => void) => {
      this.messageListeners.push(callback);
    },
  };

  readonly onDisconnect = {
    addListener: (callback: (port: NativePort) => void) => {
      this.disconnectListeners.push(callback);
    },
  };

  postMessage(message: unknown): void {
    if (this.closed || this.disconnectedByClient) {
      throw new Error("Attempting to use a disconnected port object");
    }
    // The browser serializes messages: keep a copy, as the host would see it.
    this.sent.push(JSON.parse(JSON.stringify(message)));
  }

  disconnect(): void {
    this.disconnectedByClient = true;
  }

  // ---- test controls ----

  /** The host sends `message` to the extension. */
  receive(message: unknown): void {
    for (const listener of [...this.messageListeners]) listener(message);
  }

  /** The browser closes the port, reporting `error` (as runtime.lastError would). */
  close(error?: string): void {
    this.closed = true;
    this.error = error;
    for (const listener of [...this.disconnectListeners]) listener(this);
  }

  /** Requests sent so far (chunks left out). */
  requests(): RequestMessage[] {
    return this.sent.filter((m): m is RequestMessage => (m as { kind?: string }).kind === "request");
  }

  lastRequest(): RequestMessage {
    const all = this.requests();
    const last = all[all.length - 1];
    if (!last) throw new Error("no request sent");
    return last;
  }

  /** Answers request `id` with `result`. */
  answer(id: string, result: Record<string, unknown>): void {
    this.receive({ v: 1, kind: "response", id, ok: true, result });
  }

  /** Answers request `id` with an error. */
  fail(id: string, code: string, message: string, details: Record<string, unknown> = {}): void {
    this.receive({ v: 1, kind: "response", id, ok: false, error: { code, message, details } });
  }
}

export class FakeBrowser {
  readonly ports: FakePort[] = [];
  /** When set, connectNative throws this instead of returning a port. */
  throwOnConnect: Error | null = null;

  readonly connectNative = (name: string): NativePort => {
    if (this.throwOnConnect) throw this.throwOnConnect;
    const port = new FakePort(name);
    this.ports.push(port);
    return port;
  };

  readonly disconnectError = (port: NativePort): string | undefined => (port as FakePort).error;

  get port(): FakePort {
    const last = this.ports[this.ports.length - 1];
    if (!last) throw new Error("no port opened");
    return last;
  }
}

export function helloResult(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    host: { name: "rolecall", version: "0.1.0" },
    protocol: 1,
    capabilities: [],
    daemon: { pid: 4242, started_at: 1795000000.5, home: "/tmp/rolecall-home" },
    client_id: 7,
    last_event_seq: 10,
    ...overrides,
  };
}
