// Protocol v1 for TypeScript: typed helpers over the generated types, the fixed names
// and limits of docs/PROTOCOL.md, and one type guard per message kind.
// Hand-written; `generated.ts` beside it is not (see scripts/gen-protocol-types.mjs).

import type {
  Chunk,
  ErrorCode,
  ErrorInfo,
  ErrorResponse,
  Event,
  Events,
  Methods,
  OkResponse,
  Request,
  Role,
  RolecallProtocol,
} from "./generated";

export type * from "./generated";

/** `Request` and `Event` shadow DOM globals; these aliases read better in other modules. */
export type RequestMessage = Request;
export type EventMessage = Event;
export type ResponseMessage = OkResponse | ErrorResponse;
export type ChunkMessage = Chunk;
/** Any message of protocol v1. */
export type Message = RolecallProtocol["message"];

export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Methods[M]["params"];
export type Result<M extends MethodName> = Methods[M]["result"];

export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E];
/** An event whose `type` is known to this build, with its payload typed. */
export type KnownEvent<E extends EventName = EventName> = {
  [K in E]: Omit<Event, "type" | "payload"> & { type: K; payload: Events[K] };
}[E];

/** Every `Role`, in the order the people view shows them ("none": on the deal, no role). */
export const ROLES = [
  "decision_maker",
  "economic_buyer",
  "executive_sponsor",
  "technical_buyer",
  "evaluator",
  "influencer",
  "business_user",
  "other",
  "none",
] as const satisfies readonly Role[];
// A role added to the protocol and missing here fails to compile.
const _everyRole: Exclude<Role, (typeof ROLES)[number]> extends never ? true : never = true;
void _everyRole;

export const PROTOCOL_VERSION = 1 as const;
/** The protocol versions this extension speaks, offered in `hello`. */
export const SUPPORTED_PROTOCOLS: readonly number[] = [PROTOCOL_VERSION];
export const NATIVE_HOST_NAME = "com.rolecall.host";

/** Largest native-messaging frame either way (UTF-8 JSON bytes). */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Largest whole message, after joining chunks. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Largest slice of a message's UTF-8 JSON carried by one chunk (before base64). */
export const CHUNK_SLICE_BYTES = 720 * 1024;
export const MIN_CHUNKS = 2;
export const MAX_CHUNKS = 64;

/** Request ids, chunk ids: 1–64 characters of `[A-Za-z0-9._:-]`. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** Method and event names. */
export const TYPE_PATTERN = /^[a-z][a-z0-9_.]{0,63}$/;

/** Every method of this build, at run time (checked against `Methods` below). */
export const METHOD_NAMES = [
  "hello",
  "ping",
  "daemon.status",
  "daemon.stop",
  "account.set",
  "account.list",
  "account.remove",
  "call.place",
  "call.page",
  "call.answer",
  "call.decline",
  "call.hangup",
  "call.hold",
  "call.resume",
  "call.mute",
  "call.unmute",
  "call.dtmf",
  "call.transfer",
  "call.transfer_attended",
  "call.transfer_accept",
  "call.transfer_decline",
  "calls.transfer_offers",
  "call.add_participant",
  "call.message",
  "call.record",
  "calls.list",
  "message.send",
  "presence.subscribe",
  "presence.unsubscribe",
  "presence.set",
  "context.get",
  "context.set_role",
  "context.add_note",
  "calllog.list",
  "calllog.sync_status",
  "calllog.update",
  "audio.devices",
  "audio.set",
  "audio.test",
  "memory.sites",
  "memory.forget",
  "memory.settings",
  "crm.connect",
  "crm.status",
  "crm.disconnect",
  "transcript.settings",
  "transcript.get",
  "transcript.set_summary",
  "transcript.delete",
] as const;
/** Every event of this build, at run time (checked against `Events` below). */
export const EVENT_NAMES = [
  "daemon.clients",
  "daemon.stopping",
  "call.updated",
  "call.dtmf_received",
  "call.message_received",
  "call.transfer_requested",
  "call.transfer_refused",
  "call.transfer_ended",
  "account.registration",
  "presence.updated",
  "message.received",
  "message.status",
  "calllog.sync",
  "calllog.write_failed",
  "audio.state",
  "crm.connection",
  "transcript.progress",
] as const;
/** Every error code, at run time (checked against `ErrorCode` below). */
export const ERROR_CODES = [
  "bad_frame",
  "frame_too_large",
  "invalid_json",
  "invalid_message",
  "unknown_type",
  "unsupported_version",
  "handshake_required",
  "daemon_unavailable",
  "invalid_target",
  "not_found",
  "invalid_state",
  "sip_error",
  "too_many_calls",
  "unavailable",
  "internal",
  "timeout",
  "disconnected",
] as const;

// Compile-time proof that the lists above name exactly what the schema names: if the
// protocol gains a method, event or error code, `npm run typecheck` fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _methodsComplete: Same<(typeof METHOD_NAMES)[number], MethodName> = true;
const _eventsComplete: Same<(typeof EVENT_NAMES)[number], EventName> = true;
const _codesComplete: Same<(typeof ERROR_CODES)[number], ErrorCode> = true;
void _methodsComplete;
void _eventsComplete;
void _codesComplete;

// ---- type guards --------------------------------------------------------------------
// They check the envelope's shape and types, enough to route a message safely; the
// daemon validates contents fully. Extra fields are tolerated on receipt.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function isValidId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === "string" && (METHOD_NAMES as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === "string" && (EVENT_NAMES as readonly string[]).includes(value);
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

function isEnvelope(value: unknown, kind: string): value is Record<string, unknown> {
  return isPlainObject(value) && value.v === PROTOCOL_VERSION && value.kind === kind;
}

export function isRequest(value: unknown): value is Request {
  return (
    isEnvelope(value, "request") &&
    isValidId(value.id) &&
    typeof value.type === "string" &&
    TYPE_PATTERN.test(value.type) &&
    isPlainObject(value.payload)
  );
}

export function isErrorInfo(value: unknown): value is ErrorInfo {
  return (
    isPlainObject(value) &&
    typeof value.code === "string" &&
    typeof value.message === "string" &&
    isPlainObject(value.details)
  );
}

export function isOkResponse(value: unknown): value is OkResponse {
  return (
    isEnvelope(value, "response") &&
    value.ok === true &&
    isValidId(value.id) &&
    isPlainObject(value.result)
  );
}

export function isErrorResponse(value: unknown): value is ErrorResponse {
  return (
    isEnvelope(value, "response") &&
    value.ok === false &&
    (value.id === null || isValidId(value.id)) &&
    isErrorInfo(value.error)
  );
}

export function isResponse(value: unknown): value is ResponseMessage {
  return isOkResponse(value) || isErrorResponse(value);
}

export function isEvent(value: unknown): value is Event {
  return (
    isEnvelope(value, "event") &&
    isNonNegativeInteger(value.seq) &&
    value.seq >= 1 &&
    typeof value.type === "string" &&
    TYPE_PATTERN.test(value.type) &&
    isPlainObject(value.payload)
  );
}

/** An event of a type this build knows (the payload itself is not checked further). */
export function isKnownEvent(value: unknown): value is KnownEvent {
  return isEvent(value) && isEventName(value.type);
}

export function isChunk(value: unknown): value is Chunk {
  return (
    isEnvelope(value, "chunk") &&
    isValidId(value.id) &&
    isNonNegativeInteger(value.index) &&
    isNonNegativeInteger(value.count) &&
    value.count >= MIN_CHUNKS &&
    value.count <= MAX_CHUNKS &&
    value.index < value.count &&
    typeof value.data === "string"
  );
}

export function isMessage(value: unknown): value is Message {
  return isRequest(value) || isResponse(value) || isEvent(value) || isChunk(value);
}
