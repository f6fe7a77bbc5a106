// The options page's "CRM connections" section: for Salesforce, Dynamics 365 and HubSpot,
// the state of the sign-in (as whom, which org, token expiry, last write-back), the
// organisation's OAuth client id (and the Dynamics org URL), Connect (the sign-in opens
// in a tab; the host catches the redirect) and Disconnect (the host removes the tokens).

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { CrmConnection } from "../protocol/index";
import { CRM_KINDS, CRM_NAMES, connectionOf, detailText, signIn, stateText, type CrmClient, type CrmKind } from "../shared/crm-connections";
import { t } from "../shared/i18n";
import { hostClient } from "./host-client";

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function CrmRow({ client, kind, connection, loaded, onChange }: { client: CrmClient; kind: CrmKind; connection: CrmConnection | undefined; loaded: boolean; onChange: (c: CrmConnection) => void }): JSX.Element {
  const [clientId, setClientId] = useState(connection?.client_id ?? "");
  const [orgUrl, setOrgUrl] = useState(kind === "dynamics" ? (connection?.org ?? "") : "");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (connection?.client_id && !clientId) setClientId(connection.client_id);
    if (kind === "dynamics" && connection?.org && !orgUrl) setOrgUrl(connection.org);
  }, [connection]);
  const state = connection?.state ?? "not_connected";
  const connect = (): void => {
    setBusy(true);
    setError("");
    signIn(client, { crm: kind, client_id: clientId.trim() || null, org_url: kind === "dynamics" ? orgUrl.trim() || null : null })
      .then(onChange)
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setBusy(false));
  };
  const disconnect = (): void => {
    setBusy(true);
    client
      .request("crm.disconnect", { crm: kind })
      .then((result) => {
        const found = result.connections.find((c) => c.crm === kind);
        if (found) onChange(found);
      })
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setBusy(false));
  };
  return (
    <li data-testid={`crm-connection-${kind}`} class={`crm-connection state-${state}`}>
      <p>
        <strong>{CRM_NAMES[kind]}</strong>: <span data-testid={`crm-state-${kind}`}>{connection ? stateText(connection) : t(loaded ? "crm_state_not_connected" : "crm_state_checking")}</span>
        {connection && state !== "not_connected" ? <span class="details"> — {detailText(connection)}</span> : null}
      </p>
      {connection?.detail ? <p class="error" role="alert">{connection.detail}</p> : null}
      <p>
        <label>
          {t("crm_client_id")}{" "}
          <input data-testid={`crm-client-id-${kind}`} value={clientId} size={40} onInput={(e) => setClientId((e.currentTarget as HTMLInputElement).value)} />
        </label>
        {kind === "dynamics" ? (
          <label>
            {" "}
            {t("crm_org_url")}{" "}
            <input data-testid="crm-org-url-dynamics" value={orgUrl} size={40} placeholder="https://contoso.crm.dynamics.com" onInput={(e) => setOrgUrl((e.currentTarget as HTMLInputElement).value)} />
          </label>
        ) : null}
      </p>
      <p>
        <button type="button" class="primary" data-testid={`crm-connect-${kind}`} disabled={busy || !loaded} onClick={connect}>
          {state === "signed_in" || state === "signed_out" ? t("crm_sign_in_again") : t("crm_connect")}
        </button>{" "}
        {state === "signed_in" || state === "signed_out" || state === "token" ? (
          <button type="button" data-testid={`crm-disconnect-${kind}`} disabled={busy} onClick={disconnect}>
            {t("crm_disconnect")}
          </button>
        ) : null}
      </p>
      {error ? <p class="error" role="alert">{error}</p> : null}
    </li>
  );
}

export function CrmConnections({ client = hostClient() }: { client?: CrmClient }): JSX.Element {
  const [connections, setConnections] = useState<Partial<Record<CrmKind, CrmConnection>>>({});
  const [error, setError] = useState("");
  // Until the host has answered, no row may claim "not connected" (or offer Connect).
  const [loaded, setLoaded] = useState(false);
  const put = (connection: CrmConnection): void => setConnections((all) => ({ ...all, [connection.crm]: connection }));
  useEffect(() => {
    client
      .request("crm.status", {})
      .then((result) => {
        for (const c of result.connections) put(c);
        setError("");
      })
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setLoaded(true));
    return client.onEvent((event) => {
      const connection = connectionOf(event);
      if (connection) put(connection);
    });
  }, [client]);
  return (
    <section data-testid="crm-connections">
      <h2>{t("crm_connections_title")}</h2>
      <p>{t("crm_connections_help")}</p>
      {error ? <p class="error" role="alert">{error}</p> : null}
      <ul class="crm-connections">
        {CRM_KINDS.map((kind) => (
          <CrmRow key={kind} client={client} kind={kind} connection={connections[kind]} loaded={loaded} onChange={put} />
        ))}
      </ul>
    </section>
  );
}
