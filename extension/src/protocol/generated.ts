// GENERATED FILE: do not edit.
// Source: docs/protocol.schema.json (JSON Schema generated from host/rolecall/protocol/).
// Generator: extension/scripts/gen-protocol-types.mjs (json-schema-to-typescript).
// Regenerate with `npm run gen:protocol` in extension/ (or `make protocol`).

/**
 * Why a request failed. Clients branch on these, never on the message text.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ErrorCode".
 */
export type ErrorCode =
  | "bad_frame"
  | "frame_too_large"
  | "invalid_json"
  | "invalid_message"
  | "unknown_type"
  | "unsupported_version"
  | "handshake_required"
  | "daemon_unavailable"
  | "internal"
  | "timeout"
  | "disconnected";

/**
 * Rolecall protocol v1.
 */
export interface RolecallProtocol {
  error_code: ErrorCode;
  events: Events;
  message: Request | (OkResponse | ErrorResponse) | Event | Chunk;
  methods: Methods;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Events".
 */
export interface Events {
  "daemon.clients": DaemonClientsPayload;
  "daemon.stopping": DaemonStoppingPayload;
}
/**
 * `daemon.clients`: the number of connected clients changed.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DaemonClientsPayload".
 */
export interface DaemonClientsPayload {
  clients: number;
}
/**
 * `daemon.stopping`: the daemon is shutting down; connections will close.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DaemonStoppingPayload".
 */
export interface DaemonStoppingPayload {
  reason: string;
}
/**
 * A client asks the daemon to do something; exactly one reply follows.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Request".
 */
export interface Request {
  /**
   * Chosen by the client, unique among its pending requests.
   */
  id: string;
  kind: "request";
  /**
   * The method's params.
   */
  payload: {
    [k: string]: unknown;
  };
  /**
   * The method, e.g. `hello`.
   */
  type: string;
  /**
   * Protocol version of this message.
   */
  v: 1;
}
/**
 * The request succeeded.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "OkResponse".
 */
export interface OkResponse {
  id: string;
  kind: "response";
  ok: true;
  result: {
    [k: string]: unknown;
  };
  /**
   * Protocol version of this message.
   */
  v: 1;
}
/**
 * The request failed. `id` is null when the request itself could not be read.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ErrorResponse".
 */
export interface ErrorResponse {
  error: ErrorInfo;
  id: string | null;
  kind: "response";
  ok: false;
  /**
   * Protocol version of this message.
   */
  v: 1;
}
/**
 * What went wrong, in a form a program can act on.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ErrorInfo".
 */
export interface ErrorInfo {
  code: ErrorCode;
  details: {
    [k: string]: unknown;
  };
  /**
   * For people; never parse it.
   */
  message: string;
}
/**
 * Pushed by the daemon to every client that said `hello`.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Event".
 */
export interface Event {
  kind: "event";
  payload: {
    [k: string]: unknown;
  };
  /**
   * Daemon-wide, increasing by one per event.
   */
  seq: number;
  type: string;
  /**
   * Protocol version of this message.
   */
  v: 1;
}
/**
 * One slice of a message too large for one native-messaging frame.
 *
 * `data` is base64 of a slice of the UTF-8 JSON of the whole message; slices are
 * sent in order, `index` from 0 to `count - 1`, all with the same `id`.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Chunk".
 */
export interface Chunk {
  count: number;
  data: string;
  id: string;
  index: number;
  kind: "chunk";
  /**
   * Protocol version of this message.
   */
  v: 1;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Methods".
 */
export interface Methods {
  "daemon.status": DaemonStatusMethod;
  "daemon.stop": DaemonStopMethod;
  hello: HelloMethod;
  ping: PingMethod;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DaemonStatusMethod".
 */
export interface DaemonStatusMethod {
  params: Empty;
  result: DaemonStatusResult;
}
/**
 * No fields.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Empty".
 */
export interface Empty {}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DaemonStatusResult".
 */
export interface DaemonStatusResult {
  clients: number;
  pid: number;
  started_at: number;
  uptime_s: number;
  version: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DaemonStopMethod".
 */
export interface DaemonStopMethod {
  params: DaemonStopParams;
  result: Empty;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DaemonStopParams".
 */
export interface DaemonStopParams {
  reason?: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "HelloMethod".
 */
export interface HelloMethod {
  params: HelloParams;
  result: HelloResult;
}
/**
 * The first request on every connection.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "HelloParams".
 */
export interface HelloParams {
  /**
   * @maxItems 64
   */
  capabilities?: string[];
  client: ClientInfo;
  /**
   * Protocol versions the client speaks.
   *
   * @minItems 1
   * @maxItems 16
   */
  protocols: number[];
}
/**
 * Who is connecting: the extension in some browser, the CLI, a test.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ClientInfo".
 */
export interface ClientInfo {
  /**
   * e.g. `chromium 156`, `firefox 128`.
   */
  browser?: string | null;
  /**
   * e.g. `rolecall-extension`, `rolecall-cli`.
   */
  name: string;
  version: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "HelloResult".
 */
export interface HelloResult {
  capabilities: string[];
  /**
   * This connection's number, unique while the daemon runs.
   */
  client_id: number;
  daemon: DaemonInfo;
  host: HostInfo;
  /**
   * Events after this one will reach the client.
   */
  last_event_seq: number;
  /**
   * The version both sides will speak.
   */
  protocol: number;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DaemonInfo".
 */
export interface DaemonInfo {
  /**
   * The state directory the daemon uses.
   */
  home: string;
  pid: number;
  /**
   * Unix time, seconds.
   */
  started_at: number;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "HostInfo".
 */
export interface HostInfo {
  name: "rolecall";
  version: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PingMethod".
 */
export interface PingMethod {
  params: PingParams;
  result: PingResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PingParams".
 */
export interface PingParams {
  /**
   * Returned as it is.
   */
  echo?: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PingResult".
 */
export interface PingResult {
  /**
   * Daemon's Unix time, seconds.
   */
  at: number;
  echo: string;
}
