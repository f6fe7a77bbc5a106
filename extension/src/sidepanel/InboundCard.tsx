// An incoming call: the caller matched to a contact and deal (a picker when the number
// is on several deals), with Answer and Decline.

import type { JSX } from "preact";
import type { CallInfo } from "../protocol/index";
import { callNumber } from "./CallCard";
import { formatUri } from "../shared/phone/format";
import { t, tDynamic } from "../shared/i18n";
import type { PanelState, PanelStore } from "./panel-store";

export function InboundCard({ store, state, call }: { store: PanelStore; state: PanelState; call: CallInfo }): JSX.Element {
  const focused = state.focusId === call.id;
  const matches = focused ? state.matches : (state.callers[call.id] ?? []);
  const shown = focused ? state.context : null;
  const caller =
    (focused && shown ? state.people.find((p) => (p.contact.phones ?? []).some((ph) => ph.e164 === call.e164)) : undefined) ?? null;
  const name = caller
    ? `${caller.contact.first_name ?? ""} ${caller.contact.last_name}`.trim()
    : matches[0]
      ? `${matches[0].contact.first_name ?? ""} ${matches[0].contact.last_name}`.trim()
      : call.remote_display || formatUri(call.remote_uri);
  return (
    <section class="inbound-card" data-testid="inbound-card" data-call-id={call.id} role="alertdialog" aria-labelledby={`inbound-${call.id}`}>
      <p class="eyebrow">{t("incoming_call")}</p>
      <h2 id={`inbound-${call.id}`} data-testid="inbound-caller">
        {name}
      </h2>
      <p class="call-sub">
        <span data-testid="inbound-number">{callNumber(call)}</span>
        {caller ? <span class="muted">{` · ${tDynamic(`role_${caller.role}`, [], caller.role)}`}</span> : null}
      </p>
      {shown ? (
        <p class="inbound-deal" data-testid="inbound-opportunity">
          {t("about_deal", shown.opportunity.name, shown.account?.name ?? "")}
        </p>
      ) : null}
      {!focused && matches[0] ? (
        <p class="inbound-deal" data-testid="inbound-opportunity">
          {t("about_deal", matches[0].opportunity_name || t("no_deal"), matches[0].account_name)}
        </p>
      ) : null}
      {focused && matches.length > 1 ? (
        <fieldset class="picker">
          <legend>{t("pick_deal")}</legend>
          {matches.map((m) => (
            <button
              key={`${m.contact.id}-${m.opportunity_id ?? "none"}`}
              type="button"
              class={`pick${shown && shown.opportunity.id === m.opportunity_id ? " on" : ""}`}
              aria-pressed={shown !== null && shown.opportunity.id === m.opportunity_id}
              data-testid={`inbound-match-${m.contact.id}`}
              data-opportunity-id={m.opportunity_id ?? ""}
              disabled={m.opportunity_id === null}
              onClick={() => m.opportunity_id && void store.pickOpportunity(m.opportunity_id)}
            >
              <strong>{m.opportunity_name || t("no_deal")}</strong>
              <span class="muted">{` ${m.account_name} · ${tDynamic(`role_${m.role}`, [], m.role)}`}</span>
            </button>
          ))}
        </fieldset>
      ) : null}
      {focused && !shown && !matches.length && state.contextStatus !== "loading" ? <p class="muted">{t("unknown_caller")}</p> : null}
      <div class="row">
        <button type="button" class="primary answer" data-testid="inbound-answer" onClick={() => void store.answer(call.id)}>
          {t("answer")}
        </button>
        <button type="button" class="hangup" data-testid="inbound-decline" onClick={() => void store.decline(call.id)}>
          {t("decline")}
        </button>
        {!focused ? (
          <button type="button" data-testid="inbound-show" onClick={() => store.focus(call.id)}>
            {t("show_caller")}
          </button>
        ) : null}
      </div>
    </section>
  );
}
