// Owns the native port to the Rolecall host (`chrome.runtime.connectNative`): the
// `hello` handshake, request ids and the pending map with a timeout per request (one
// timer for all of them, armed for the earliest deadline),
// chunking both ways, event delivery with `seq` gap detection, reconnecting with
// backoff, and the connection state every UI shows. It talks to the browser only
// through the `NativePort` and `connectNative` it is given, so unit tests drive it with
// a fake port.

import {
  MAX_FRAME_BYTES,
  NATIVE_HOST_NAME,
  SUPPORTED_PROTOCOLS,
  isChunk,
  isErrorResponse,
  isEvent,
  isOkResponse,
  isPlainObject,
  type ClientInfo,
  type EventMessage,
  type HelloParams,
  type HelloResult,
  type MethodName,
  type Params,
  type RequestMessage,
  type Result,
} from "../protocol/index";
import { ChunkJoiner, FrameError, framesFor } from "../protocol/chunks";
import type { ConnectionState, ConnectionStatus } from "../shared/state";
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from "./backoff";
import type { BrowserFamily } from "./browser-info";
import { checkHelloResult, classifyDisconnect, classifyHelloError, type Diagnosis } from "./classify";
import { HostError } from "./host-error";
import { silentLogger, type Logger } from "./logger";

/** The part of chrome.runtime.Port this module uses. */
export interface NativePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: (port: NativePort) => void): void };
}

export interface HostConnectionOptions {
  /** `(name) => chrome.runtime.connectNative(name)`. */
  connectNative(name: string): NativePort;
  /** The error text of a port that closed: chrome.runtime.lastError, or Firefox's port.error. */
  disconnectError(port: NativePort): string | undefined;
  /** Sent in `hello`; `version` is also compared with the host's major version. */
  client: ClientInfo & { version: string };
  /** For the `rolecall install --browser …` that fixes suggest. */
  browser: BrowserFamily;
  logger?: Logger;
  /** Random numbers in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Per request, unless the call says otherwise. Default 10 s. */
  requestTimeoutMs?: number;
  /** For `hello`, which may wait while the shim starts the daemon. Default 20 s. */
  helloTimeoutMs?: number;
  /** A retry shows `connecting` only once it has taken this long; until then the last
   *  failure stays on screen, so a host that keeps failing does not make it flicker. */
  connectingGraceMs?: number;
  backoff?: BackoffOptions;
  hostName?: string;
}

export interface RequestOptions {
  timeoutMs?: number;
}

export interface HostDiagnostics {
  linked: boolean;
  helloDone: boolean;
  pending: number;
  queued: number;
  failures: number;
  lastEventSeq: number | null;
  missedEvents: number;
  hello: HelloResult | null;
  requestsSent: number;
  chunksSent: number;
  chunkedMessagesReceived: number;
  droppedChunkMessages: number;
}

type Timer = ReturnType<typeof setTimeout>;

/** One native port and what belongs to it. */
interface Link {
  serial: number;
  port: NativePort | null;
  helloDone: boolean;
  stoppingReason?: string;
  graceTimer?: Timer;
}

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(error: HostError): void;
  /** `Date.now()` after which the request times out. */
  deadline: number;
  timeoutMs: number;
  /** Set while the request waits for `hello` to finish. */
  queued?: RequestMessage;
}

type StateCore = Omit<ConnectionState, "since" | "retryInMs" | "missedEvents">;

export class HostConnection {
  private readonly opts: Required<Omit<HostConnectionOptions, "logger" | "random" | "backoff">>;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;

  private link: Link | null = null;
  private linkSerial = 0;
  private requestSerial = 0;
  private chunkSerial = 0;
  private readonly pending = new Map<string, Pending>();
  /** The one timer for the pending requests' timeouts, and when it fires. */
  private deadlineTimer: Timer | null = null;
  private deadlineAt = Infinity;
  private queue: string[] = [];
  private failures = 0;
  private attempts = 0;
  private retryTimer: Timer | null = null;
  private retryAt: number | null = null;
  private stopped = true;
  private lastSeq: number | null = null;
  private missed = 0;
  private helloResult: HelloResult | null = null;
  private current: StateCore & { since: number };
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly eventListeners = new Set<(event: EventMessage) => void>();
  private readonly joiner: ChunkJoiner;
  private counters = { requestsSent: 0, chunksSent: 0, chunkedMessagesReceived: 0, droppedChunkMessages: 0 };

  constructor(options: HostConnectionOptions) {
    this.opts = {
      connectNative: options.connectNative,
      disconnectError: options.disconnectError,
      client: options.client,
      browser: options.browser,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      helloTimeoutMs: options.helloTimeoutMs ?? 20_000,
      connectingGraceMs: options.connectingGraceMs ?? 750,
      hostName: options.hostName ?? NATIVE_HOST_NAME,
    };
    this.log = options.logger ?? silentLogger();
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.joiner = new ChunkJoiner((id, reason) => {
      this.counters.droppedChunkMessages += 1;
      this.log.warn(`dropped chunked message ${id}: ${reason}`);
    });
    this.current = { status: "connecting", message: "Connecting to the Rolecall host…", since: Date.now() };
  }

  // ---- public API ---------------------------------------------------------------------

  /** Connects unless connected, connecting, or waiting to retry. Safe to call often. */
  start(): void {
    this.stopped = false;
    if (!this.link && this.retryTimer === null) this.connect(false);
  }

  /** Connects now instead of at the scheduled retry (a no-op while connected or connecting). */
  reconnectNow(): void {
    this.stopped = false;
    if (this.link) return;
    this.clearRetry();
    this.connect(true);
  }

  /** Closes the port and stops reconnecting (until `start` or `reconnectNow`). */
  stop(): void {
    this.stopped = true;
    this.clearRetry();
    const link = this.link;
    if (link) {
      this.closeLink(link, new HostError("disconnected", "The connection to the Rolecall host was closed."));
      this.disconnectPort(link);
    }
    this.setState({ status: "error", message: "The connection to the Rolecall host was stopped.", fix: "Press Retry now." });
  }

  /**
   * Sends a request and resolves with its result, or rejects with a `HostError` whose
   * `code` is the protocol's (`timeout` and `disconnected` come from this side). While
   * `hello` is still in flight the request waits for it; with no connection at all it
   * fails at once with `disconnected`.
   */
  request<M extends MethodName>(method: M, params: Params<M>, options: RequestOptions = {}): Promise<Result<M>> {
    if (method === "hello") {
      return Promise.reject(new HostError("invalid_message", "hello is sent by the connection itself", { method }));
    }
    const link = this.link;
    if (!link) {
      return Promise.reject(
        new HostError("disconnected", `Not connected to the Rolecall host (${this.current.status}): ${this.current.message}`, {
          status: this.current.status,
        }),
      );
    }
    return this.send(link, method, params as Record<string, unknown>, options.timeoutMs) as Promise<Result<M>>;
  }

  /** The current connection state (a copy; `retryInMs` is as of now). */
  state(): ConnectionState {
    const snapshot: ConnectionState = { ...this.current };
    if (this.retryAt !== null) snapshot.retryInMs = Math.max(0, this.retryAt - Date.now());
    if (this.missed > 0 && this.current.status === "connected") snapshot.missedEvents = this.missed;
    return snapshot;
  }

  /** Calls `listener` with every new state; returns a function that unsubscribes. */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Calls `listener` with every event from the host; returns a function that unsubscribes. */
  onEvent(listener: (event: EventMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** The last successful `hello` result on the current connection, if any. */
  get hello(): HelloResult | null {
    return this.link?.helloDone ? this.helloResult : null;
  }

  diagnostics(): HostDiagnostics {
    return {
      linked: this.link !== null,
      helloDone: this.link?.helloDone ?? false,
      pending: this.pending.size,
      queued: this.queue.length,
      failures: this.failures,
      lastEventSeq: this.lastSeq,
      missedEvents: this.missed,
      hello: this.hello,
      ...this.counters,
    };
  }

  // ---- connecting -----------------------------------------------------------------------

  private connect(manual: boolean): void {
    const link: Link = { serial: ++this.linkSerial, port: null, helloDone: false };
    this.link = link;
    this.joiner.reset();
    this.lastSeq = null;
    this.missed = 0;
    this.helloResult = null;
    const first = this.attempts === 0;
    this.attempts += 1;
    const connecting: StateCore = { status: "connecting", message: "Connecting to the Rolecall host…" };
    if (manual || first || this.current.status === "connecting") {
      this.setState(connecting);
    } else {
      link.graceTimer = setTimeout(() => {
        if (this.link === link && !link.helloDone) this.setState(connecting);
      }, this.opts.connectingGraceMs);
    }
    this.log.info(`connecting to native host ${this.opts.hostName} (attempt ${this.attempts}${manual ? ", by request" : ""})`);

    let port: NativePort;
    try {
      port = this.opts.connectNative(this.opts.hostName);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.log.warn(`connectNative threw: ${text}`);
      this.closeLink(link, new HostError("disconnected", text));
      this.fail(classifyDisconnect(text, { browser: this.opts.browser, helloSucceeded: false }));
      return;
    }
    link.port = port;
    port.onMessage.addListener((message) => this.onPortMessage(link, message));
    port.onDisconnect.addListener((closed) => this.onPortDisconnect(link, closed ?? port));
    this.sendHello(link);
  }

  private sendHello(link: Link): void {
    const params: HelloParams = {
      client: { name: this.opts.client.name, version: this.opts.client.version, browser: this.opts.client.browser ?? null },
      protocols: [...SUPPORTED_PROTOCOLS],
      capabilities: [],
    };
    this.send(link, "hello", params as unknown as Record<string, unknown>, this.opts.helloTimeoutMs, true).then(
      (result) => this.onHelloOk(link, result),
      (err: unknown) => this.onHelloFailed(link, HostError.from(err)),
    );
  }

  private onHelloOk(link: Link, raw: unknown): void {
    if (this.link !== link) return;
    const result = raw as HelloResult;
    const hostVersion = isPlainObject(result.host) && typeof result.host.version === "string" ? result.host.version : undefined;
    const mismatch = checkHelloResult(result.protocol, hostVersion, this.opts.client.version);
    if (mismatch) {
      this.log.warn(`hello: ${mismatch.message}`);
      this.dropLink(link, mismatch);
      return;
    }
    link.helloDone = true;
    if (link.graceTimer !== undefined) clearTimeout(link.graceTimer);
    this.failures = 0;
    this.helloResult = result;
    // The daemon announces this client (daemon.clients) right after taking its baseline,
    // so that event can arrive before this reply: keep the later of the two.
    const baseline = typeof result.last_event_seq === "number" ? result.last_event_seq : null;
    this.lastSeq = baseline === null ? this.lastSeq : Math.max(baseline, this.lastSeq ?? baseline);
    const pid = isPlainObject(result.daemon) && typeof result.daemon.pid === "number" ? result.daemon.pid : undefined;
    const next: StateCore = {
      status: "connected",
      message: `Connected to the Rolecall host${hostVersion ? ` ${hostVersion}` : ""} (protocol ${result.protocol}${pid !== undefined ? `, daemon pid ${pid}` : ""}).`,
      protocol: result.protocol,
    };
    if (hostVersion !== undefined) next.hostVersion = hostVersion;
    if (pid !== undefined) next.daemonPid = pid;
    this.log.info(next.message);
    this.setState(next);
    this.flushQueue(link);
  }

  private onHelloFailed(link: Link, error: HostError): void {
    if (this.link !== link) return; // the port closed first; onPortDisconnect handled it
    this.log.warn(`hello failed (${error.code}): ${error.message}`);
    this.dropLink(link, classifyHelloError(error.toInfo(), { browser: this.opts.browser }));
  }

  private onPortDisconnect(link: Link, port: NativePort): void {
    // Read the error in every case: Chromium logs "Unchecked runtime.lastError" otherwise.
    const text = this.opts.disconnectError(port);
    if (this.link !== link) return;
    this.log.warn(`native port closed${text ? `: ${text}` : ""}`);
    const diagnosis = classifyDisconnect(text, {
      browser: this.opts.browser,
      helloSucceeded: link.helloDone,
      ...(link.stoppingReason !== undefined ? { stoppingReason: link.stoppingReason } : {}),
    });
    this.closeLink(
      link,
      new HostError("disconnected", `The connection to the Rolecall host closed${text ? `: ${text}` : "."}`),
    );
    this.fail(diagnosis);
  }

  /** Ends a link from this side: rejects its requests, closes the port, schedules a retry. */
  private dropLink(link: Link, diagnosis: Diagnosis): void {
    this.closeLink(link, new HostError("disconnected", diagnosis.message));
    this.disconnectPort(link);
    this.fail(diagnosis);
  }

  private closeLink(link: Link, error: HostError): void {
    if (this.link === link) this.link = null;
    if (link.graceTimer !== undefined) clearTimeout(link.graceTimer);
    this.joiner.reset();
    const entries = [...this.pending.entries()];
    this.pending.clear();
    this.queue = [];
    for (const [, entry] of entries) {
      entry.reject(error);
    }
  }

  private disconnectPort(link: Link): void {
    try {
      link.port?.disconnect();
    } catch {
      // Already closed.
    }
  }

  private fail(diagnosis: Diagnosis): void {
    this.failures += 1;
    this.scheduleReconnect();
    const next: StateCore = { status: diagnosis.status, message: diagnosis.message };
    if (diagnosis.fix !== undefined) next.fix = diagnosis.fix;
    this.setState(next);
  }

  private scheduleReconnect(): void {
    this.clearRetry();
    if (this.stopped) return;
    const delay = backoffDelay(this.failures, this.random, this.backoff);
    this.retryAt = Date.now() + delay;
    this.log.info(`reconnecting in ${delay} ms (failure ${this.failures})`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryAt = null;
      if (!this.stopped && !this.link) this.connect(false);
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = null;
  }

  // ---- requests -------------------------------------------------------------------------

  private send(
    link: Link,
    method: string,
    params: Record<string, unknown>,
    timeoutMs = this.opts.requestTimeoutMs,
    immediately = false,
  ): Promise<unknown> {
    const id = `r-${++this.requestSerial}`;
    return new Promise<unknown>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const entry: Pending = { method, resolve, reject, deadline, timeoutMs };
      this.pending.set(id, entry);
      if (deadline < this.deadlineAt) this.armDeadline(deadline);
      const message: RequestMessage = { v: 1, kind: "request", id, type: method, payload: params };
      if (immediately || link.helloDone) {
        this.post(link, id, message);
      } else {
        entry.queued = message;
        this.queue.push(id);
      }
    });
  }

  private post(link: Link, id: string, message: RequestMessage): void {
    let frames: object[];
    try {
      frames = fitsOneFrame(message) ? [message] : framesFor(message, () => `c-${++this.chunkSerial}`);
    } catch (err) {
      const error = err instanceof FrameError ? new HostError(err.code, err.message) : HostError.from(err);
      this.settle(id, error);
      return;
    }
    try {
      for (const frame of frames) link.port?.postMessage(frame);
    } catch (err) {
      this.settle(id, new HostError("disconnected", `Could not send to the Rolecall host: ${HostError.from(err).message}`));
      return;
    }
    this.counters.requestsSent += 1;
    if (frames.length > 1) {
      this.counters.chunksSent += frames.length;
      this.log.debug(`sent ${message.type} ${id} as ${frames.length} chunks`);
    }
  }

  private flushQueue(link: Link): void {
    const ids = this.queue;
    this.queue = [];
    for (const id of ids) {
      const entry = this.pending.get(id);
      if (!entry?.queued) continue;
      const message = entry.queued;
      delete entry.queued;
      this.post(link, id, message);
    }
  }

  /** (Re)arms the one timeout timer for `deadline`, earlier than the one it has. */
  private armDeadline(deadline: number): void {
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineAt = deadline;
    this.deadlineTimer = setTimeout(() => this.onDeadline(), Math.max(0, deadline - Date.now()));
  }

  /** Times out every request past its deadline, then arms for the next one. */
  private onDeadline(): void {
    this.deadlineTimer = null;
    this.deadlineAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [id, entry] of [...this.pending]) {
      if (entry.deadline <= now) this.timeOut(id, entry.timeoutMs);
      else next = Math.min(next, entry.deadline);
    }
    if (next < this.deadlineAt) this.armDeadline(next);
  }

  private timeOut(id: string, timeoutMs: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.log.warn(`${entry.method} ${id}: no answer within ${timeoutMs} ms`);
    this.settle(
      id,
      new HostError("timeout", `The Rolecall host did not answer ${entry.method} within ${timeoutMs / 1000} s.`, {
        method: entry.method,
        timeout_ms: timeoutMs,
      }),
    );
  }

  /** Finishes a pending request with an error (a result when `error` is null). */
  private settle(id: string, error: HostError | null, result?: unknown): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (entry.queued) this.queue = this.queue.filter((queued) => queued !== id);
    if (error) entry.reject(error);
    else entry.resolve(result);
  }

  // ---- incoming -------------------------------------------------------------------------

  private onPortMessage(link: Link, raw: unknown): void {
    if (this.link !== link) return;
    if (isPlainObject(raw) && raw.kind === "chunk") {
      const outcome = this.joiner.accept(raw);
      if (outcome.kind !== "complete") return;
      this.counters.chunkedMessagesReceived += 1;
      if (isChunk(outcome.message)) {
        this.log.warn(`dropped chunked message ${outcome.id}: it holds another chunk`);
        return;
      }
      this.handleMessage(link, outcome.message);
      return;
    }
    this.handleMessage(link, raw);
  }

  private handleMessage(link: Link, message: unknown): void {
    if (isOkResponse(message)) {
      if (!this.pending.has(message.id)) this.log.warn(`answer to unknown or timed-out request ${message.id}`);
      this.settle(message.id, null, message.result);
    } else if (isErrorResponse(message)) {
      if (message.id === null) {
        this.log.warn(`the host reported an error for a request it could not read (${message.error.code}): ${message.error.message}`, message.error.details);
        return;
      }
      if (!this.pending.has(message.id)) this.log.warn(`error for unknown or timed-out request ${message.id}`);
      this.settle(message.id, HostError.fromInfo(message.error));
    } else if (isEvent(message)) {
      this.handleEvent(link, message);
    } else {
      const kind = isPlainObject(message) ? String(message.kind) : typeof message;
      this.log.warn(`ignored a message the extension does not understand (kind ${kind})`);
    }
  }

  private handleEvent(link: Link, event: EventMessage): void {
    const last = this.lastSeq;
    if (last !== null && event.seq !== last + 1) {
      if (event.seq > last + 1) {
        const gap = event.seq - last - 1;
        this.missed += gap;
        this.log.warn(`missed ${gap} event(s): expected seq ${last + 1}, got ${event.seq}`);
        this.emitState();
      } else {
        this.log.warn(`event seq ${event.seq} is not after ${last} (duplicate or reordered)`);
      }
    }
    this.lastSeq = last === null ? event.seq : Math.max(last, event.seq);
    if (event.type === "daemon.stopping" && typeof event.payload.reason === "string") {
      link.stoppingReason = event.payload.reason;
    }
    for (const listener of [...this.eventListeners]) {
      try {
        listener(event);
      } catch (err) {
        this.log.error(`event listener failed on ${event.type}`, String(err));
      }
    }
  }

  // ---- state ----------------------------------------------------------------------------

  private setState(next: StateCore): void {
    const since = next.status === this.current.status ? this.current.since : Date.now();
    this.current = { ...next, since };
    this.emitState();
  }

  private emitState(): void {
    const snapshot = this.state();
    for (const listener of [...this.stateListeners]) {
      try {
        listener(snapshot);
      } catch (err) {
        this.log.error("state listener failed", String(err));
      }
    }
  }

  /** For logs and tests: the status right now. */
  get status(): ConnectionStatus {
    return this.current.status;
  }
}


/** Whether `message` surely fits one frame, by its JSON's length without encoding it to
 *  UTF-8 (a UTF-16 code unit is at most 3 bytes of it); `framesFor` sizes the rest. */
function fitsOneFrame(message: RequestMessage): boolean {
  return JSON.stringify(message).length * 3 <= MAX_FRAME_BYTES;
}
