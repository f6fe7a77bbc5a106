// CRM connections as both the options page and the side panel show them: the CRMs'
// names, the one-line status, and opening a sign-in's authorization URL in a tab (the
// host's loopback listener catches the redirect; the page never sees a code or token).

import type { CrmConnection, EventMessage, MethodName, Params, Result } from "../protocol/index";
import { t } from "./i18n";

export type CrmKind = CrmConnection["crm"];

export const CRM_KINDS: readonly CrmKind[] = ["salesforce", "dynamics", "hubspot"];

export const CRM_NAMES: Record<CrmKind, string> = {
  salesforce: "Salesforce",
  dynamics: "Dynamics 365",
  hubspot: "HubSpot",
};

/** What these components need of the host connection. */
export interface CrmClient {
  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  onEvent(listener: (event: EventMessage) => void): () => void;
}

/** The connection a `crm.connection` event carries, or null for any other event. */
export function connectionOf(event: EventMessage): CrmConnection | null {
  if (event.type !== "crm.connection") return null;
  return (event.payload as { connection: CrmConnection }).connection;
}

/** The state in words. */
export function stateText(connection: CrmConnection): string {
  switch (connection.state) {
    case "signed_in":
      return t("crm_state_signed_in");
    case "signed_out":
      return t("crm_state_signed_out");
    case "token":
      return t("crm_state_token");
    case "connecting":
      return t("crm_state_connecting");
    default:
      return t("crm_state_not_connected");
  }
}

/** Who, which org, until when, last write-back: the details after the state. */
export function detailText(connection: CrmConnection): string {
  const parts: string[] = [];
  if (connection.user) parts.push(t("crm_as", connection.user));
  if (connection.org) parts.push(t("crm_org", connection.org));
  if (connection.expires_at !== null) parts.push(t("crm_expires", new Date(connection.expires_at * 1000).toLocaleString()));
  parts.push(connection.last_write_back ? t("crm_last_write_back", new Date(connection.last_write_back).toLocaleString()) : t("crm_no_write_back"));
  if (connection.pending > 0) parts.push(t("crm_pending", connection.pending));
  return parts.join(" · ");
}

/** Opens the authorization URL in a new tab (an http(s) URL only). */
export function openAuthorization(url: string): void {
  if (!/^https?:\/\//.test(url)) throw new Error(`not a web address: ${url}`);
  if (typeof chrome !== "undefined" && chrome.tabs?.create) void chrome.tabs.create({ url });
  else window.open(url, "_blank", "noopener");
}

/** Starts a sign-in on the host and opens its page; the outcome comes as `crm.connection`. */
export async function signIn(client: CrmClient, params: Params<"crm.connect">): Promise<CrmConnection> {
  const result = await client.request("crm.connect", params);
  openAuthorization(result.authorization_url);
  return result.connection;
}
