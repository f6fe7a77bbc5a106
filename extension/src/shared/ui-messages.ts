// Messages on the "rolecall-ui" port between a UI page (side panel) and the background,
// the typed senders for both directions, and the validation the background applies to
// everything a UI port sends.

import {
  ID_PATTERN,
  TYPE_PATTERN,
  isPlainObject,
  type ErrorInfo,
  type EventMessage,
} from "../protocol/index";
import type { ConnectionState } from "./state";

export const UI_PORT_NAME = "rolecall-ui";

// ---- UI → background ---------------------------------------------------------------

/** Proxy a protocol request through the background's host connection. */
export interface UiRequest {
  type: "request";
  /** Chosen by the UI: 1–64 characters of `[A-Za-z0-9._:-]`. */
  id: string;
  /** A method name, e.g. "ping", "daemon.status" (not "hello": the background says it). */
  method: string;
  /** The method's params; `{}` when left out. */
  params: Record<string, unknown>;
}

/** Reconnect to the host now instead of waiting for the next scheduled retry. */
export interface UiRetry {
  type: "retry";
}

/** The user's answer to a call waiting for confirmation: "Call" (accept) or "Cancel". */
export interface UiDialAnswer {
  type: "dial-answer";
  id: string;
  accept: boolean;
}

export type UiToBackground = UiRequest | UiRetry | UiDialAnswer;

// ---- background → UI ---------------------------------------------------------------

export interface UiStateMessage {
  type: "state";
  state: ConnectionState;
}

export type UiResponse =
  | { type: "response"; id: string; ok: true; result: Record<string, unknown> }
  | { type: "response"; id: string; ok: false; error: ErrorInfo };

export interface UiEventMessage {
  type: "event";
  event: EventMessage;
}

/** A page call the user must confirm first, and why. */
export interface DialConfirmInfo {
  id: string;
  /** "link_mismatch": the link shows another number; "sip_domain": a SIP URI outside the accounts' domains. */
  reason: "link_mismatch" | "sip_domain";
  /** What the page showed (the link's text), as text. */
  shown: string;
  /** What would be dialled, and how to show it. */
  target: string;
  display: string;
  /** The page's origin. */
  site: string;
}

/** Every page call waiting for confirmation now (sent at connect and on each change). */
export interface UiDialConfirmMessage {
  type: "dial-confirm";
  pending: DialConfirmInfo[];
}

export type BackgroundToUi = UiStateMessage | UiResponse | UiEventMessage | UiDialConfirmMessage;

/**
 * Validates a message from a UI port. Returns the message in canonical form, or null
 * when it is not one of the shapes above (the background then ignores it). Whether
 * `method` names a method is checked by the caller, which answers with an error.
 */
export function parseUiMessage(value: unknown): UiToBackground | null {
  if (!isPlainObject(value)) return null;
  if (value.type === "retry") {
    return Object.keys(value).length === 1 ? { type: "retry" } : null;
  }
  if (value.type === "dial-answer") {
    const { id, accept } = value;
    if (Object.keys(value).length !== 3 || typeof id !== "string" || !ID_PATTERN.test(id)) return null;
    return typeof accept === "boolean" ? { type: "dial-answer", id, accept } : null;
  }
  if (value.type === "request") {
    for (const key of Object.keys(value)) {
      if (!["type", "id", "method", "params"].includes(key)) return null;
    }
    const { id, method, params } = value;
    if (typeof id !== "string" || !ID_PATTERN.test(id)) return null;
    if (typeof method !== "string" || !TYPE_PATTERN.test(method)) return null;
    if (params !== undefined && !isPlainObject(params)) return null;
    return { type: "request", id, method, params: params ?? {} };
  }
  return null;
}

/** The part of a runtime port the senders use. */
interface MessagePort {
  postMessage(message: unknown): void;
}

/** UI page → background, on its "rolecall-ui" port. */
export function postToBackground(port: MessagePort, message: UiToBackground): void {
  port.postMessage(message);
}

/** Background → a UI page, on that page's "rolecall-ui" port. */
export function postToUi(port: MessagePort, message: BackgroundToUi): void {
  port.postMessage(message);
}
