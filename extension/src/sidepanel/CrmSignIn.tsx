// The side panel's notice for a CRM that signed the user out ("Salesforce: signed out —
// Sign in again"): shown from `crm.status` and every `crm.connection` event, gone once the
// sign-in is back. Write-backs wait in the host's outbox meanwhile; nothing is lost.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { CrmConnection } from "../protocol/index";
import { CRM_NAMES, connectionOf, signIn, type CrmClient, type CrmKind } from "../shared/crm-connections";
import { t } from "../shared/i18n";

export function CrmSignIn({ client, connected }: { client: CrmClient; connected: boolean }): JSX.Element | null {
  const [signedOut, setSignedOut] = useState<Partial<Record<CrmKind, CrmConnection>>>({});
  const [error, setError] = useState("");
  useEffect(() => {
    const put = (c: CrmConnection): void =>
      setSignedOut((all) => {
        const next = { ...all };
        if (c.state === "signed_out") next[c.crm] = c;
        else if (c.state !== "connecting") delete next[c.crm];
        return next;
      });
    if (connected)
      client
        .request("crm.status", {})
        .then((result) => result.connections.forEach(put))
        .catch(() => undefined); // the connection line above says when the host is away
    return client.onEvent((event) => {
      const connection = connectionOf(event);
      if (connection) put(connection);
    });
  }, [client, connected]);
  const list = Object.values(signedOut);
  if (list.length === 0) return null;
  return (
    <section class="banner error crm-sign-in" role="status" data-testid="crm-sign-in">
      {list.map((c) => (
        <p key={c.crm} data-testid={`crm-signed-out-${c.crm}`}>
          {t("crm_signed_out_notice", CRM_NAMES[c.crm])}{" "}
          <button
            type="button"
            class="primary"
            onClick={() => {
              setError("");
              signIn(client, { crm: c.crm }).catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
            }}
          >
            {t("crm_sign_in_again")}
          </button>
        </p>
      ))}
      {error ? <p class="error" role="alert">{error}</p> : null}
    </section>
  );
}
