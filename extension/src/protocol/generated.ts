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
  | "invalid_target"
  | "not_found"
  | "invalid_state"
  | "sip_error"
  | "too_many_calls"
  | "unavailable"
  | "internal"
  | "timeout"
  | "disconnected";
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "RegistrationState".
 */
export type RegistrationState = "none" | "registering" | "registered" | "failed" | "unregistered";
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "EndCause".
 */
export type EndCause =
  | "normal"
  | "busy"
  | "not_found"
  | "no_answer"
  | "rejected"
  | "cancelled"
  | "network"
  | "transferred"
  | "interrupted"
  | "failed";
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallState".
 */
export type CallState =
  "dialing" | "ringing" | "early" | "connecting" | "confirmed" | "disconnected";
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PresenceStatus".
 */
export type PresenceStatus = "online" | "away" | "busy" | "offline" | "unknown";
/**
 * A contact's organisational role on a deal, in the order the people view shows them.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Role".
 */
export type Role =
  | "decision_maker"
  | "economic_buyer"
  | "executive_sponsor"
  | "technical_buyer"
  | "evaluator"
  | "influencer"
  | "business_user"
  | "other"
  | "none";

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
  "account.registration": RegistrationPayload;
  "audio.state": AudioStatePayload;
  "call.dtmf_received": DtmfReceivedPayload;
  "call.message_received": CallMessageReceivedPayload;
  "call.transfer_ended": TransferEndedPayload;
  "call.transfer_refused": TransferRefusedPayload;
  "call.transfer_requested": TransferRequestedPayload;
  "call.updated": CallUpdatedPayload;
  "calllog.sync": SyncUpdatedPayload;
  "calllog.write_failed": CallLogWriteFailedPayload;
  "crm.connection": CrmConnectionPayload;
  "daemon.clients": DaemonClientsPayload;
  "daemon.stopping": DaemonStoppingPayload;
  "message.received": MessageReceivedPayload;
  "message.status": MessageStatusPayload;
  "presence.updated": PresencePayload;
  "transcript.progress": TranscriptProgressPayload;
}
/**
 * `account.registration`: an account's registration changed (also sent when an
 * account with no registrar is set, as `none`, and when one is removed, as
 * `unregistered` with reason `removed`).
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "RegistrationPayload".
 */
export interface RegistrationPayload {
  account_id: string;
  /**
   * What to do when registration failed; '' if fine.
   */
  advice: string;
  expires_s: number | null;
  reason: string;
  state: RegistrationState;
  status_code: number | null;
}
/**
 * `audio.state` (and part of `audio.devices`): what is in use now.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioStatePayload".
 */
export interface AudioStatePayload {
  /**
   * In effect (false where unavailable).
   */
  echo_cancellation: boolean;
  /**
   * The microphone in use; null: none.
   */
  input: string | null;
  /**
   * Calls work, but nobody hears the user.
   */
  no_microphone: boolean;
  /**
   * Calls work, but the user hears nothing.
   */
  no_speaker: boolean;
  noise_suppression: boolean;
  /**
   * The speaker in use; null: none.
   */
  output: string | null;
  /**
   * Why the devices changed last, or ''.
   */
  reason: string;
  ring_silenced: boolean;
  /**
   * Where calls ring; null: nowhere.
   */
  ringer: string | null;
}
/**
 * `call.dtmf_received`: the far end pressed a key.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DtmfReceivedPayload".
 */
export interface DtmfReceivedPayload {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  digit: string;
}
/**
 * `call.message_received`: an instant message arrived inside a call.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallMessageReceivedPayload".
 */
export interface CallMessageReceivedPayload {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  content_type: string;
  from_uri: string;
  text: string;
}
/**
 * `call.transfer_ended`: an offer is over; `new_call_id` is the call placed on accept.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TransferEndedPayload".
 */
export interface TransferEndedPayload {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  new_call_id: string | null;
  outcome: "accepted" | "declined" | "expired" | "call_ended" | "failed";
  /**
   * Names one transfer offer.
   */
  request_id: string;
}
/**
 * `call.transfer_refused`: a far end's transfer request was refused outright (603):
 * the target failed the dial plan, carried headers, or replaced a call we do not know.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TransferRefusedPayload".
 */
export interface TransferRefusedPayload {
  by: TransferParty;
  /**
   * Daemon-assigned.
   */
  call_id: string;
  /**
   * A dial plan refusal (`invalid_number`, …), `malformed`, `foreign_header`, `unknown_replaces`, `pending` or `no_account`.
   */
  reason: string;
  /**
   * The Refer-To as received (cut short).
   */
  target: string;
}
/**
 * Who asked for the transfer: the far end of the call the REFER came in.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TransferParty".
 */
export interface TransferParty {
  display: string;
  e164: string | null;
  uri: string;
}
/**
 * `call.transfer_requested`: the far end asked us to call someone else, and the
 * target passed the dial plan. Nothing is dialled unless the user accepts within
 * `expires_in_s` (`call.transfer_accept`); the far end's REFER was declined already.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TransferRequestedPayload".
 */
export interface TransferRequestedPayload {
  /**
   * An attended transfer (Replaces one of our calls).
   */
  attended: boolean;
  by: TransferParty;
  /**
   * Daemon-assigned.
   */
  call_id: string;
  expires_in_s: number;
  /**
   * Names one transfer offer.
   */
  request_id: string;
  /**
   * E.164 for a number, else the SIP URI.
   */
  target: string;
  /**
   * The URI that would be called.
   */
  target_uri: string;
}
/**
 * `call.updated`: a call was created or changed; `call` is its whole current state.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallUpdatedPayload".
 */
export interface CallUpdatedPayload {
  call: CallInfo;
}
/**
 * Everything a client needs to show one call.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallInfo".
 */
export interface CallInfo {
  account_id: string;
  answered_at: number | null;
  /**
   * Calls whose audio is bridged with this one.
   *
   * Items: Daemon-assigned.
   */
  conference: string[];
  created_at: number;
  /**
   * What was dialled, as given; '' inbound.
   */
  dialed: string;
  direction: "outbound" | "inbound";
  /**
   * The remote party's number in E.164, when known.
   */
  e164: string | null;
  end_cause: EndCause | null;
  ended_at: number | null;
  held: boolean;
  /**
   * Daemon-assigned.
   */
  id: string;
  muted: boolean;
  /**
   * The last SIP reason phrase, or ours.
   */
  reason: string;
  /**
   * The CRM record the call was placed from, if any.
   */
  record: PageRecord | null;
  /**
   * The WAV file being written, if recording.
   */
  recording: string | null;
  remote_display: string;
  remote_held: boolean;
  remote_uri: string;
  rtp: RtpStats | null;
  state: CallState;
  /**
   * The last SIP status code seen.
   */
  status_code: number | null;
}
/**
 * The record a CRM page shows: which CRM, which instance, which object.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PageRecord".
 */
export interface PageRecord {
  /**
   * An adapter's or a URL scheme's CRM (salesforce, odoo, espocrm…), or generic.
   */
  crm: string;
  /**
   * The CRM's host or org.
   */
  instance?: string;
  name?: string;
  /**
   * e.g. opportunity, contact.
   */
  object_type?: string;
  record_id?: string;
  url?: string;
}
/**
 * Media counters of the call's audio stream, taken as it ended.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "RtpStats".
 */
export interface RtpStats {
  codec: string;
  rx_jitter_ms: number;
  rx_lost: number;
  rx_packets: number;
  tx_packets: number;
}
/**
 * `calllog.sync`: a write-back to a CRM succeeded, failed, or will be retried.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "SyncUpdatedPayload".
 */
export interface SyncUpdatedPayload {
  item: SyncItem;
}
/**
 * One write-back to a CRM and how it is going.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "SyncItem".
 */
export interface SyncItem {
  attempts: number;
  connector: string;
  idempotency_key: string;
  kind: string;
  last_error: string;
  next_attempt_at: string;
  remote_id: string | null;
  state: "pending" | "done" | "failed";
}
/**
 * `calllog.write_failed`: a call's log entry could not be written (e.g. a full disk).
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallLogWriteFailedPayload".
 */
export interface CallLogWriteFailedPayload {
  call_id: string;
  reason: string;
}
/**
 * `crm.connection`: a connection signed in, refreshed, signed out or failed to connect.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmConnectionPayload".
 */
export interface CrmConnectionPayload {
  connection: CrmConnection;
}
/**
 * One CRM connection as a person reads it. No token is ever in it.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmConnection".
 */
export interface CrmConnection {
  /**
   * The organisation's OAuth client id in use.
   */
  client_id: string | null;
  crm: "salesforce" | "dynamics" | "hubspot";
  /**
   * Why it is signed out, or what failed; empty otherwise.
   */
  detail: string;
  /**
   * When the access token expires (Unix s), if known.
   */
  expires_at: number | null;
  /**
   * When a write-back last succeeded (ISO 8601).
   */
  last_write_back: string | null;
  /**
   * Which org: Salesforce org id, Dynamics org URL, HubSpot hub id.
   */
  org: string;
  /**
   * Write-backs waiting in the outbox for this CRM.
   */
  pending: number;
  /**
   * `signed_in` (OAuth, refreshing itself), `signed_out` (the CRM revoked the sign-in: sign in again), `token` (a fixed token in the keyring), `not_connected`, `connecting` (waiting for the browser).
   */
  state: "signed_in" | "signed_out" | "token" | "not_connected" | "connecting";
  /**
   * Who signed in, when known.
   */
  user: string;
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
 * `message.received`: a pager message outside any call.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MessageReceivedPayload".
 */
export interface MessageReceivedPayload {
  account_id: string;
  content_type: string;
  from_uri: string;
  text: string;
  to_uri: string;
}
/**
 * `message.status`: the far end's answer to a message we sent.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MessageStatusPayload".
 */
export interface MessageStatusPayload {
  message_id: string;
  ok: boolean;
  reason: string;
  status_code: number;
}
/**
 * `presence.updated`: a watched contact's presence changed.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PresencePayload".
 */
export interface PresencePayload {
  account_id: string;
  note: string;
  status: PresenceStatus;
  uri: string;
}
/**
 * `transcript.progress`: a call's transcript is queued, running (0–1), done or failed;
 * `stage` says what the worker does now (`model` while the model is fetched).
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptProgressPayload".
 */
export interface TranscriptProgressPayload {
  call_id: string;
  progress: number;
  stage: "queued" | "model" | "speech" | "summary" | "done" | "failed";
  state: "queued" | "running" | "done" | "failed";
  /**
   * The summary once done, else ''.
   */
  summary: string;
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
  "account.list": AccountListMethod;
  "account.remove": AccountRemoveMethod;
  "account.set": AccountSetMethod;
  "audio.devices": AudioDevicesMethod;
  "audio.set": AudioSetMethod;
  "audio.test": AudioTestMethod;
  "call.add_participant": CallAddParticipantMethod;
  "call.answer": CallAnswerMethod;
  "call.decline": CallDeclineMethod;
  "call.dtmf": CallDtmfMethod;
  "call.hangup": CallHangupMethod;
  "call.hold": CallHoldMethod;
  "call.message": CallMessageMethod;
  "call.mute": CallMuteMethod;
  "call.page": CallPageMethod;
  "call.place": CallPlaceMethod;
  "call.record": CallRecordMethod;
  "call.resume": CallResumeMethod;
  "call.transfer": CallTransferMethod;
  "call.transfer_accept": CallTransferAcceptMethod;
  "call.transfer_attended": CallTransferAttendedMethod;
  "call.transfer_decline": CallTransferDeclineMethod;
  "call.unmute": CallUnmuteMethod;
  "calllog.list": CalllogListMethod;
  "calllog.sync_status": CalllogSyncStatusMethod;
  "calllog.update": CalllogUpdateMethod;
  "calls.list": CallsListMethod;
  "calls.transfer_offers": CallsTransferOffersMethod;
  "context.add_note": ContextAddNoteMethod;
  "context.get": ContextGetMethod;
  "context.set_role": ContextSetRoleMethod;
  "crm.connect": CrmConnectMethod;
  "crm.disconnect": CrmDisconnectMethod;
  "crm.status": CrmStatusMethod;
  "daemon.status": DaemonStatusMethod;
  "daemon.stop": DaemonStopMethod;
  hello: HelloMethod;
  "memory.forget": MemoryForgetMethod;
  "memory.settings": MemorySettingsMethod;
  "memory.sites": MemorySitesMethod;
  "message.send": MessageSendMethod;
  ping: PingMethod;
  "presence.set": PresenceSetMethod;
  "presence.subscribe": PresenceSubscribeMethod;
  "presence.unsubscribe": PresenceUnsubscribeMethod;
  "transcript.delete": TranscriptDeleteMethod;
  "transcript.get": TranscriptGetMethod;
  "transcript.set_summary": TranscriptSetSummaryMethod;
  "transcript.settings": TranscriptSettingsMethod;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AccountListMethod".
 */
export interface AccountListMethod {
  params: Empty;
  result: AccountsResult;
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
 * via the `definition` "AccountsResult".
 */
export interface AccountsResult {
  accounts: AccountStatus[];
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AccountStatus".
 */
export interface AccountStatus {
  /**
   * Whose INVITE, MESSAGE and SUBSCRIBE it takes.
   */
  accepts_from: string;
  /**
   * What to do when registration failed; '' if fine.
   */
  advice: string;
  config: AccountConfig;
  expires_s: number | null;
  has_password: boolean;
  /**
   * Where it listens, e.g. "udp 127.0.0.1:5062".
   */
  listen: string;
  /**
   * The digest realm its password answers.
   */
  realm: string;
  reason: string;
  registration: RegistrationState;
  status_code: number | null;
}
/**
 * A SIP account. Its password never appears here: it lives in the OS keyring.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AccountConfig".
 */
export interface AccountConfig {
  /**
   * Register when a registrar is set.
   */
  auto_register?: boolean;
  /**
   * Where this account listens (an IP address of this machine). Default: loopback, or the address that routes to the registrar.
   */
  bind_address?: string | null;
  ca_file?: string | null;
  dial_plan?: DialPlanConfig;
  display_name?: string;
  id: string;
  no_answer_timeout_s?: number;
  proxy?: string | null;
  realm?: string;
  registrar?: string | null;
  srtp?: "off" | "optional" | "mandatory";
  stun_server?: string | null;
  transport?: "udp" | "tcp" | "tls";
  /**
   * The address of record, e.g. sip:alice@pbx.example.com.
   */
  uri: string;
  username?: string | null;
  /**
   * TLS: check the server certificate.
   */
  verify_server?: boolean;
}
/**
 * How numbers become SIP URIs for this account.
 */
export interface DialPlanConfig {
  default_region?: string;
  /**
   * Where numbers are sent; default: the registrar's or the account's host.
   */
  domain?: string | null;
  international_prefix?: string | null;
  keep_plus?: boolean;
  outbound_prefix?: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AccountRemoveMethod".
 */
export interface AccountRemoveMethod {
  params: AccountRef;
  result: Empty;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AccountRef".
 */
export interface AccountRef {
  account_id: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AccountSetMethod".
 */
export interface AccountSetMethod {
  params: AccountSetParams;
  result: AccountResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AccountSetParams".
 */
export interface AccountSetParams {
  account: AccountConfig;
  /**
   * Stored in the keyring; omit to keep.
   */
  password?: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AccountResult".
 */
export interface AccountResult {
  account: AccountStatus;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioDevicesMethod".
 */
export interface AudioDevicesMethod {
  params: Empty;
  result: AudioDevicesResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioDevicesResult".
 */
export interface AudioDevicesResult {
  chosen: AudioChoice;
  devices: AudioDevice[];
  state: AudioStatePayload;
}
/**
 * The user's remembered choice (null: the system default).
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioChoice".
 */
export interface AudioChoice {
  echo_cancellation: boolean;
  input: string | null;
  noise_suppression: boolean;
  output: string | null;
  ring_silenced: boolean;
  /**
   * null: the output device.
   */
  ringer: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioDevice".
 */
export interface AudioDevice {
  default_input: boolean;
  default_output: boolean;
  /**
   * e.g. `PulseAudio`, `ALSA`, `WASAPI`.
   */
  host_api: string;
  /**
   * Input channels: a microphone when > 0.
   */
  inputs: number;
  name: string;
  /**
   * Output channels: a speaker when > 0.
   */
  outputs: number;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioSetMethod".
 */
export interface AudioSetMethod {
  params: AudioSetParams;
  result: AudioDevicesResult;
}
/**
 * Fields left out keep their value; `""` sets a device back to the system default.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioSetParams".
 */
export interface AudioSetParams {
  echo_cancellation?: boolean | null;
  input?: string | null;
  noise_suppression?: boolean | null;
  output?: string | null;
  ring_silenced?: boolean | null;
  ringer?: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioTestMethod".
 */
export interface AudioTestMethod {
  params: AudioTestParams;
  result: AudioTestResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioTestParams".
 */
export interface AudioTestParams {
  seconds?: number;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AudioTestResult".
 */
export interface AudioTestResult {
  input: string | null;
  /**
   * The microphone's peak meanwhile; -120: silence.
   */
  mic_level_dbfs: number;
  /**
   * Where the test tone played; null: nowhere.
   */
  output: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallAddParticipantMethod".
 */
export interface CallAddParticipantMethod {
  params: AddParticipantParams;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AddParticipantParams".
 */
export interface AddParticipantParams {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  /**
   * A phone number or tel:/sip: URI.
   */
  target: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallResult".
 */
export interface CallResult {
  call: CallInfo;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallAnswerMethod".
 */
export interface CallAnswerMethod {
  params: CallRef;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallRef".
 */
export interface CallRef {
  /**
   * Daemon-assigned.
   */
  call_id: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallDeclineMethod".
 */
export interface CallDeclineMethod {
  params: DeclineParams;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DeclineParams".
 */
export interface DeclineParams {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  code?: 486 | 603;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallDtmfMethod".
 */
export interface CallDtmfMethod {
  params: DtmfParams;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DtmfParams".
 */
export interface DtmfParams {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  digits: string;
  method?: "auto" | "rfc2833" | "info";
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallHangupMethod".
 */
export interface CallHangupMethod {
  params: CallRef;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallHoldMethod".
 */
export interface CallHoldMethod {
  params: CallRef;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallMessageMethod".
 */
export interface CallMessageMethod {
  params: CallMessageParams;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallMessageParams".
 */
export interface CallMessageParams {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  text: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallMuteMethod".
 */
export interface CallMuteMethod {
  params: CallRef;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallPageMethod".
 */
export interface CallPageMethod {
  params: CallPageParams;
  result: CallResult;
}
/**
 * The page a call was placed from, sent just after the call so reading the page
 * does not delay the INVITE.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallPageParams".
 */
export interface CallPageParams {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  /**
   * The CRM record in view where the call was placed.
   */
  record?: PageRecord | null;
  /**
   * What that page showed: the deal, people, documents.
   */
  snapshot?: PageSnapshot | null;
}
/**
 * What the extension read off the CRM page in view.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PageSnapshot".
 */
export interface PageSnapshot {
  /**
   * @maxItems 500
   */
  contacts?: SnapshotContact[];
  crm: string;
  deal?: PageDeal | null;
  /**
   * @maxItems 500
   */
  documents?: SnapshotDocument[];
  /**
   * The page shows one deal (not a list); absent: the page reader did not say.
   */
  is_deal?: boolean | null;
  object_type?: string;
  opportunity_name?: string;
  /**
   * Stable across reloads and in-app navigation: the record's identity.
   */
  page_key?: string;
  record_id?: string;
}
/**
 * A person as the CRM page shows them near a phone number.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "SnapshotContact".
 */
export interface SnapshotContact {
  /**
   * `role` as one of ours, when the extension could tell.
   */
  canonical_role?: Role | null;
  email?: string;
  name: string;
  /**
   * @maxItems 10
   */
  phones?: string[];
  /**
   * The page's role wording.
   */
  role?: string;
  title?: string;
}
/**
 * The deal fields a CRM page shows, each as the page writes it (read, never computed).
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PageDeal".
 */
export interface PageDeal {
  account?: string;
  /**
   * The account's main line (switchboard) as shown beside the account, if any.
   */
  account_phone?: string;
  /**
   * As shown, e.g. '€48,500.00'.
   */
  amount?: string;
  /**
   * As shown.
   */
  close_date?: string;
  /**
   * ISO 4217 code, when the page says.
   */
  currency?: string;
  owner?: string;
  stage?: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "SnapshotDocument".
 */
export interface SnapshotDocument {
  /**
   * e.g. pdf, docx, xlsx.
   */
  kind?: string;
  /**
   * As shown, e.g. '1.2 MB'.
   */
  size?: string;
  title: string;
  url: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallPlaceMethod".
 */
export interface CallPlaceMethod {
  params: PlaceCallParams;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PlaceCallParams".
 */
export interface PlaceCallParams {
  /**
   * Default: the first one.
   */
  account_id?: string | null;
  /**
   * The CRM record in view where the call was placed.
   */
  record?: PageRecord | null;
  /**
   * Region for numbers with no + prefix.
   */
  region?: string | null;
  /**
   * What that page showed: the deal, people, documents.
   */
  snapshot?: PageSnapshot | null;
  /**
   * A phone number or tel:/sip: URI.
   */
  target: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallRecordMethod".
 */
export interface CallRecordMethod {
  params: RecordParams;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "RecordParams".
 */
export interface RecordParams {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  on: boolean;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallResumeMethod".
 */
export interface CallResumeMethod {
  params: CallRef;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallTransferMethod".
 */
export interface CallTransferMethod {
  params: TransferParams;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TransferParams".
 */
export interface TransferParams {
  /**
   * Daemon-assigned.
   */
  call_id: string;
  /**
   * A phone number or tel:/sip: URI.
   */
  target: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallTransferAcceptMethod".
 */
export interface CallTransferAcceptMethod {
  params: TransferRequestRef;
  result: CallResult;
}
/**
 * `call.transfer_accept` / `call.transfer_decline`: the offer being answered.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TransferRequestRef".
 */
export interface TransferRequestRef {
  /**
   * Names one transfer offer.
   */
  request_id: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallTransferAttendedMethod".
 */
export interface CallTransferAttendedMethod {
  params: AttendedTransferParams;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AttendedTransferParams".
 */
export interface AttendedTransferParams {
  /**
   * The call to hand over.
   */
  call_id: string;
  /**
   * The call with the transfer target.
   */
  consult_call_id: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallTransferDeclineMethod".
 */
export interface CallTransferDeclineMethod {
  params: TransferRequestRef;
  result: Empty;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallUnmuteMethod".
 */
export interface CallUnmuteMethod {
  params: CallRef;
  result: CallResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CalllogListMethod".
 */
export interface CalllogListMethod {
  params: CallLogParams;
  result: CallLogResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallLogParams".
 */
export interface CallLogParams {
  limit?: number;
  opportunity_id?: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallLogResult".
 */
export interface CallLogResult {
  calls: LoggedCall[];
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "LoggedCall".
 */
export interface LoggedCall {
  entry: CallLogEntry;
  state: "live" | "ended";
  /**
   * The call's transcript summary, or ''.
   */
  summary: string;
}
/**
 * Written to SQLite before the call's end is acknowledged; then queued for the CRM.
 *
 * `idempotency_key` is the same for every attempt to write this entry anywhere, so a
 * retry finds the record an earlier attempt created instead of making a second one.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallLogEntry".
 */
export interface CallLogEntry {
  account_id?: string | null;
  answered_at?: string | null;
  call_id: string;
  contact_id?: string | null;
  direction: "outbound" | "inbound";
  disposition?: string;
  documents_presented?: string[];
  /**
   * Talk time: answer to end; 0 if never answered.
   */
  duration_s: number;
  end_cause: string;
  ended_at: string;
  idempotency_key: string;
  notes?: string;
  /**
   * E.164 when known, else the URI dialled.
   */
  number: string;
  opportunity_id?: string | null;
  /**
   * The CRM record the call was placed from (site, type, id, URL), if any.
   */
  record?: PageRef | null;
  recording_path?: string | null;
  started_at: string;
  subject?: string;
}
/**
 * Which CRM record a page deal or a logged call came from: the site, type and id.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PageRef".
 */
export interface PageRef {
  origin: string;
  record_id?: string;
  record_type?: string;
  url?: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CalllogSyncStatusMethod".
 */
export interface CalllogSyncStatusMethod {
  params: SyncListParams;
  result: SyncListResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "SyncListParams".
 */
export interface SyncListParams {
  limit?: number;
  state?: ("pending" | "done" | "failed") | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "SyncListResult".
 */
export interface SyncListResult {
  items: SyncItem[];
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CalllogUpdateMethod".
 */
export interface CalllogUpdateMethod {
  params: CallLogUpdateParams;
  result: LoggedCall;
}
/**
 * Wrap-up: what the user adds to a call's log entry once it has ended (or while up).
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallLogUpdateParams".
 */
export interface CallLogUpdateParams {
  call_id: string;
  disposition?: string | null;
  documents_presented?: string[] | null;
  /**
   * Wrap-up is done: write it to the CRMs now.
   */
  final?: boolean;
  notes?: string | null;
  /**
   * The deal the call was about, when the user picked it (a caller on several).
   */
  opportunity_id?: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallsListMethod".
 */
export interface CallsListMethod {
  params: Empty;
  result: CallsResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallsResult".
 */
export interface CallsResult {
  calls: CallInfo[];
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallsTransferOffersMethod".
 */
export interface CallsTransferOffersMethod {
  params: Empty;
  result: TransferOffersResult;
}
/**
 * `calls.transfer_offers`: the offers still waiting for the user (a panel opened late).
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TransferOffersResult".
 */
export interface TransferOffersResult {
  offers: TransferRequestedPayload[];
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ContextAddNoteMethod".
 */
export interface ContextAddNoteMethod {
  params: AddNoteParams;
  result: Empty;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "AddNoteParams".
 */
export interface AddNoteParams {
  body: string;
  contact_id: string;
  /**
   * Also write the note to this configured CRM (through the outbox).
   */
  crm?: string | null;
  opportunity_id?: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ContextGetMethod".
 */
export interface ContextGetMethod {
  params: ContextParams;
  result: ContextResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ContextParams".
 */
export interface ContextParams {
  /**
   * The context of a call placed from a CRM page: its record and snapshot.
   */
  call_id?: string | null;
  /**
   * A contact's record: their deal, or a pick among them.
   */
  contact_id?: string | null;
  contacts_offset?: number;
  /**
   * Fetch the opportunity from this configured CRM (kept in the store).
   */
  crm?: string | null;
  documents_offset?: number;
  opportunity_id?: string | null;
  page_size?: number;
  /**
   * Caller lookup.
   */
  phone?: string | null;
  snapshot?: PageSnapshot | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ContextResult".
 */
export interface ContextResult {
  context: OpportunityContext | null;
  /**
   * Contacts whose number matched `phone`.
   */
  matches: CallerMatch[];
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "OpportunityContext".
 */
export interface OpportunityContext {
  account: Account | null;
  documents: Document[];
  /**
   * A page deal's fields as the page words them: stage, amount, currency, close_date, owner, account.
   */
  fields: {
    [k: string]: string;
  };
  groups: RoleGroup[];
  missing_roles: Role[];
  next_contacts_offset: number | null;
  next_documents_offset: number | null;
  opportunity: Opportunity;
  /**
   * The page deal's record and site.
   */
  page: PageRef | null;
  recent_calls: CallSummary[];
  /**
   * `page`: a deal read off a CRM page (page memory), not imported data.
   */
  source: "store" | "page";
  total_contacts: number;
  total_documents: number;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Account".
 */
export interface Account {
  id: string;
  industry?: string;
  name: string;
  phone?: Phone | null;
  website?: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Phone".
 */
export interface Phone {
  e164?: string | null;
  kind?: "work" | "mobile" | "home" | "fax" | "other";
  /**
   * As written in the source.
   */
  raw: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Document".
 */
export interface Document {
  /**
   * File extension, lower case: pdf, docx…
   */
  doc_type: string;
  id: string;
  local_path?: string | null;
  modified_at?: string | null;
  opportunity_id: string;
  owner?: string;
  size_bytes: number;
  title: string;
  url?: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "RoleGroup".
 */
export interface RoleGroup {
  contacts: ContactCard[];
  role: Role;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ContactCard".
 */
export interface ContactCard {
  account_name: string;
  contact: Contact;
  /**
   * This is the person the call is with.
   */
  is_called: boolean;
  is_primary: boolean;
  notes: string[];
  relations: Relation[];
  role: Role;
  source: "store" | "page";
  source_role: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Contact".
 */
export interface Contact {
  account_id?: string | null;
  email?: string;
  first_name?: string;
  id: string;
  last_name: string;
  /**
   * @maxItems 10
   */
  phones?: Phone[];
  sip_uri?: string | null;
  title?: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Relation".
 */
export interface Relation {
  contact_id: string;
  direction: "to" | "from";
  kind: string;
  name: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Opportunity".
 */
export interface Opportunity {
  account_id?: string | null;
  amount?: number | null;
  close_date?: string | null;
  currency?: string;
  description?: string;
  id: string;
  name: string;
  owner?: string;
  stage?: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallSummary".
 */
export interface CallSummary {
  call_id: string;
  direction: string;
  disposition: string;
  duration_s: number;
  end_cause: string;
  notes: string;
  number: string;
  started_at: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CallerMatch".
 */
export interface CallerMatch {
  account_name: string;
  contact: Contact;
  opportunity_id: string | null;
  opportunity_name: string;
  role: Role;
  source: "store" | "page";
  /**
   * `switchboard`: the number is the account's main line, not the person's.
   */
  via: "contact" | "switchboard";
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "ContextSetRoleMethod".
 */
export interface ContextSetRoleMethod {
  params: SetRoleParams;
  result: Empty;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "SetRoleParams".
 */
export interface SetRoleParams {
  contact_id: string;
  /**
   * Also write the change back to this configured CRM (through the outbox).
   */
  crm?: string | null;
  is_primary?: boolean;
  opportunity_id: string;
  role: Role;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmConnectMethod".
 */
export interface CrmConnectMethod {
  params: CrmConnectParams;
  result: CrmConnectResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmConnectParams".
 */
export interface CrmConnectParams {
  /**
   * Default: the one configured before.
   */
  client_id?: string | null;
  crm: "salesforce" | "dynamics" | "hubspot";
  /**
   * Dynamics: https://<org>.crm.dynamics.com.
   */
  org_url?: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmConnectResult".
 */
export interface CrmConnectResult {
  /**
   * Open it in a browser; the host's loopback listener catches the redirect and `crm.connection` tells the outcome.
   */
  authorization_url: string;
  connection: CrmConnection;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmDisconnectMethod".
 */
export interface CrmDisconnectMethod {
  params: CrmRef;
  result: CrmStatusResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmRef".
 */
export interface CrmRef {
  crm: "salesforce" | "dynamics" | "hubspot";
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmStatusResult".
 */
export interface CrmStatusResult {
  connections: CrmConnection[];
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "CrmStatusMethod".
 */
export interface CrmStatusMethod {
  params: Empty;
  result: CrmStatusResult;
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
 * via the `definition` "MemoryForgetMethod".
 */
export interface MemoryForgetMethod {
  params: MemoryForgetParams;
  result: MemoryForgetResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MemoryForgetParams".
 */
export interface MemoryForgetParams {
  /**
   * The site to forget; every site when left out.
   */
  origin?: string | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MemoryForgetResult".
 */
export interface MemoryForgetResult {
  /**
   * How many page deals were forgotten.
   */
  deals: number;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MemorySettingsMethod".
 */
export interface MemorySettingsMethod {
  params: MemorySettingsParams;
  result: MemorySettingsResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MemorySettingsParams".
 */
export interface MemorySettingsParams {
  /**
   * Turn page memory on or off (off forgets everything); left out: just read.
   */
  page_memory?: boolean | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MemorySettingsResult".
 */
export interface MemorySettingsResult {
  page_memory: boolean;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MemorySitesMethod".
 */
export interface MemorySitesMethod {
  params: Empty;
  result: MemorySitesResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MemorySitesResult".
 */
export interface MemorySitesResult {
  page_memory: boolean;
  sites: MemorySite[];
}
/**
 * One site's page memory: how much is remembered and when it was last read.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MemorySite".
 */
export interface MemorySite {
  deals: number;
  documents: number;
  last_seen_at: string;
  origin: string;
  people: number;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MessageSendMethod".
 */
export interface MessageSendMethod {
  params: MessageSendParams;
  result: MessageSendResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MessageSendParams".
 */
export interface MessageSendParams {
  account_id?: string | null;
  text: string;
  /**
   * A phone number or tel:/sip: URI.
   */
  to: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "MessageSendResult".
 */
export interface MessageSendResult {
  message_id: string;
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
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PresenceSetMethod".
 */
export interface PresenceSetMethod {
  params: PresenceSetParams;
  result: Empty;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PresenceSetParams".
 */
export interface PresenceSetParams {
  account_id?: string | null;
  note?: string;
  status: "online" | "away" | "busy" | "offline";
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PresenceSubscribeMethod".
 */
export interface PresenceSubscribeMethod {
  params: PresenceSubscribeParams;
  result: Empty;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PresenceSubscribeParams".
 */
export interface PresenceSubscribeParams {
  account_id?: string | null;
  uri: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "PresenceUnsubscribeMethod".
 */
export interface PresenceUnsubscribeMethod {
  params: PresenceSubscribeParams;
  result: Empty;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptDeleteMethod".
 */
export interface TranscriptDeleteMethod {
  params: TranscriptRef;
  result: TranscriptDeleteResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptRef".
 */
export interface TranscriptRef {
  call_id: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptDeleteResult".
 */
export interface TranscriptDeleteResult {
  deleted_files: number;
  deleted_transcript: boolean;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptGetMethod".
 */
export interface TranscriptGetMethod {
  params: TranscriptRef;
  result: TranscriptResult;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptResult".
 */
export interface TranscriptResult {
  /**
   * null: the call has none.
   */
  transcript: Transcript | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Transcript".
 */
export interface Transcript {
  action_items: string[];
  call_id: string;
  /**
   * Why it failed, or ''.
   */
  error: string;
  model: string;
  state: "queued" | "running" | "done" | "failed";
  summary: string;
  turns: Turn[];
}
/**
 * What one party said, from `start_s` to `end_s` after the recording began.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "Turn".
 */
export interface Turn {
  end_s: number;
  speaker: "user" | "far";
  start_s: number;
  text: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptSetSummaryMethod".
 */
export interface TranscriptSetSummaryMethod {
  params: TranscriptSummaryParams;
  result: TranscriptResult;
}
/**
 * The user's edit of a call's summary and action items (the wrap-up).
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptSummaryParams".
 */
export interface TranscriptSummaryParams {
  /**
   * @maxItems 50
   */
  action_items: string[];
  call_id: string;
  summary: string;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptSettingsMethod".
 */
export interface TranscriptSettingsMethod {
  params: TranscriptSettingsParams;
  result: TranscriptSettingsResult;
}
/**
 * `transcript.settings`: fields left out keep their value; no field reads them.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptSettingsParams".
 */
export interface TranscriptSettingsParams {
  model?: ("tiny.en" | "base") | null;
  record_calls?: boolean | null;
  /**
   * 0: keep all.
   */
  retention_days?: number | null;
  transcribe?: boolean | null;
}
/**
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptSettingsResult".
 */
export interface TranscriptSettingsResult {
  /**
   * The chosen model is on this machine, verified.
   */
  model_installed: boolean;
  settings: TranscriptSettings;
}
/**
 * `config/transcript.json`: what the user allowed. Every switch starts off.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "TranscriptSettings".
 */
export interface TranscriptSettings {
  /**
   * `base` is slower, better on phones.
   */
  model?: "tiny.en" | "base";
  /**
   * Record every answered call.
   */
  record_calls?: boolean;
  /**
   * Delete recordings and transcripts after N days.
   */
  retention_days?: number | null;
  /**
   * Transcribe recorded calls afterwards.
   */
  transcribe?: boolean;
}
/**
 * How numbers become SIP URIs for this account.
 *
 * This interface was referenced by `RolecallProtocol`'s JSON-Schema
 * via the `definition` "DialPlanConfig".
 */
export interface DialPlanConfig1 {
  default_region?: string;
  /**
   * Where numbers are sent; default: the registrar's or the account's host.
   */
  domain?: string | null;
  international_prefix?: string | null;
  keep_plus?: boolean;
  outbound_prefix?: string;
}
