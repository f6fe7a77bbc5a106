// The people view: the deal's contacts grouped by role in a fixed order, the primary
// contact marked, hints for missing key roles, a search, and per contact the actions
// (call, add to this call, transfer to, message, email) and the edits (role, primary
// flag, notes).

import { useMemo, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { CallInfo, ContactCard, Role } from "../protocol/index";
import { formatNumber } from "../shared/phone/format";
import { t, tDynamic } from "../shared/i18n";
import { ROLE_ORDER, contactName, groupByRole, matchesQuery } from "./people";
import { contactTarget, isLive, type PanelState, type PanelStore } from "./panel-store";

/** Contacts shown per group before "Show all". */
const GROUP_LIMIT = 10;

function roleLabel(role: Role): string {
  return tDynamic(`role_${role}`, [], role);
}

function presenceOf(state: PanelState, card: ContactCard): string | null {
  const uri = card.contact.sip_uri;
  if (!uri) return null;
  const status = state.presence[uri];
  return status && status !== "unknown" ? status : null;
}

function EditForm({ store, card, onDone }: { store: PanelStore; card: ContactCard; onDone: () => void }): JSX.Element {
  const [role, setRole] = useState<Role>(card.role);
  const [primary, setPrimary] = useState(card.is_primary);
  const [note, setNote] = useState("");
  const id = card.contact.id;
  return (
    <div class="drawer edit" role="group" aria-label={t("edit_contact", contactName(card))}>
      <label class="field">
        <span>{t("role")}</span>
        <select data-testid="contact-role-select" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
          {ROLE_ORDER.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" data-testid="contact-primary" checked={primary} onChange={(e) => setPrimary((e.currentTarget as HTMLInputElement).checked)} />
        <span>{t("primary_contact")}</span>
      </label>
      <div class="row">
        <button type="button" class="primary" data-testid="contact-save" onClick={() => void store.setRole(card, role, primary).then((ok) => ok && onDone())}>
          {t("save")}
        </button>
        <button type="button" onClick={onDone}>
          {t("cancel")}
        </button>
      </div>
      <label class="field" for={`note-${id}`}>
        <span>{t("add_note")}</span>
      </label>
      <textarea id={`note-${id}`} data-testid="contact-note-input" rows={3} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />
      <button
        type="button"
        data-testid="contact-note-add"
        disabled={!note.trim()}
        onClick={() => void store.addNote(card, note.trim()).then((ok) => ok && setNote(""))}
      >
        {t("add_note")}
      </button>
    </div>
  );
}

function MessageForm({ store, to, onDone }: { store: PanelStore; to: string; onDone: () => void }): JSX.Element {
  const [text, setText] = useState("");
  const send = (e: Event) => {
    e.preventDefault();
    if (text.trim()) void store.sendMessage(to, text.trim()).then((ok) => ok && onDone());
  };
  return (
    <form class="drawer" onSubmit={send}>
      <label class="field">
        <span>{t("message_to", formatNumber(to))}</span>
        <input type="text" data-testid="contact-message-text" value={text} maxLength={4000} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <div class="row">
        <button type="submit" class="primary" data-testid="contact-message-send" disabled={!text.trim()}>
          {t("send")}
        </button>
        <button type="button" onClick={onDone}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}

function ContactItem({ store, state, card, call }: { store: PanelStore; state: PanelState; card: ContactCard; call: CallInfo | undefined }): JSX.Element {
  const [open, setOpen] = useState<"" | "edit" | "message">("");
  const target = contactTarget(card);
  const inCall = call !== undefined && isLive(call) && call.state === "confirmed";
  const name = contactName(card);
  const presence = presenceOf(state, card);
  const email = card.contact.email ?? "";
  const headingId = `contact-name-${card.contact.id}`;
  // A page deal's people are edited in page memory; a page-only person on a stored deal is not.
  const editable = card.source === "store" || state.context?.source === "page";
  return (
    <li
      class={`contact${card.is_primary ? " primary" : ""}`}
      data-testid={`contact-${card.contact.id}`}
      data-role={card.role}
      data-primary={String(card.is_primary)}
      data-called={String(card.is_called ?? false)}
      aria-labelledby={headingId}
    >
      <div class="contact-head">
        <h4 id={headingId}>
          {name}
          {card.is_primary ? (
            <span class="badge accent" data-testid="contact-primary-badge">
              {t("primary")}
            </span>
          ) : null}
          {card.is_called ? (
            <span class="badge" data-testid="contact-on-this-call">
              {t("on_this_call")}
            </span>
          ) : null}
          {presence ? (
            <span class={`presence ${presence}`} data-testid="contact-presence">
              {tDynamic(`presence_${presence}`, [], presence)}
            </span>
          ) : null}
        </h4>
        <p class="muted">{[card.contact.title, card.account_name].filter(Boolean).join(" · ")}</p>
        {card.source_role && card.source_role.toLowerCase() !== roleLabel(card.role).toLowerCase() ? (
          <p class="muted small">{t("crm_role", card.source_role)}</p>
        ) : null}
        {card.relations.length ? (
          <ul class="relations">
            {card.relations.map((r) => (
              <li key={`${r.kind}-${r.direction}-${r.contact_id}`}>{tDynamic(`relation_${r.kind}_${r.direction}`, [r.name], `${r.kind} ${r.name}`)}</li>
            ))}
          </ul>
        ) : null}
        <ul class="phones">
          {(card.contact.phones ?? []).map((phone, i) => (
            <li key={i}>
              <span class="muted small">{tDynamic(`phone_${phone.kind ?? "work"}`, [], phone.kind ?? "")}</span> {phone.e164 ? formatNumber(phone.e164) : phone.raw}
            </li>
          ))}
          {email ? (
            <li>
              <span class="muted small">{t("email")}</span> {email}
            </li>
          ) : null}
        </ul>
        {card.notes.length ? (
          <ul class="contact-notes" data-testid="contact-notes">
            {card.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <div class="actions" role="group" aria-label={t("actions_for", name)}>
        <button type="button" data-testid="contact-call" disabled={!target} aria-label={t("call_name", name)} onClick={() => target && void store.callTarget(target)}>
          {t("call")}
        </button>
        <button type="button" data-testid="contact-add" disabled={!target || !inCall} aria-label={t("add_name", name)} onClick={() => target && void store.addParticipant(target)}>
          {t("add_to_call")}
        </button>
        <button type="button" data-testid="contact-transfer" disabled={!target || !inCall} aria-label={t("transfer_name", name)} onClick={() => target && void store.transferBlind(target)}>
          {t("transfer_to_short")}
        </button>
        <button type="button" data-testid="contact-message" disabled={!target} aria-expanded={open === "message"} aria-label={t("message_name", name)} onClick={() => setOpen((o) => (o === "message" ? "" : "message"))}>
          {t("message")}
        </button>
        {email ? (
          <a class="button" data-testid="contact-email" href={`mailto:${encodeURIComponent(email).replace(/%40/g, "@")}`} target="_blank" rel="noopener noreferrer" aria-label={t("email_name", name)}>
            {t("email")}
          </a>
        ) : (
          <button type="button" data-testid="contact-email" disabled>
            {t("email")}
          </button>
        )}
        <button
          type="button"
          data-testid="contact-edit"
          disabled={!editable}
          title={!editable ? t("page_only_contact") : undefined}
          aria-expanded={open === "edit"}
          aria-label={t("edit_contact", name)}
          onClick={() => setOpen((o) => (o === "edit" ? "" : "edit"))}
        >
          {t("edit")}
        </button>
      </div>
      {open === "edit" ? <EditForm store={store} card={card} onDone={() => setOpen("")} /> : null}
      {open === "message" && target ? <MessageForm store={store} to={target} onDone={() => setOpen("")} /> : null}
    </li>
  );
}

function RoleGroupSection({ store, state, role, contacts, call, searching }: { store: PanelStore; state: PanelState; role: Role; contacts: ContactCard[]; call: CallInfo | undefined; searching: boolean }): JSX.Element {
  const [all, setAll] = useState(false);
  const shown = all || searching ? contacts : contacts.slice(0, GROUP_LIMIT);
  const headingId = `group-${role}`;
  return (
    <section class="role-group" data-testid={`role-group-${role}`} aria-labelledby={headingId}>
      <h3 id={headingId}>
        {roleLabel(role)} <span class="count">{contacts.length}</span>
      </h3>
      <ul class="contacts">
        {shown.map((card) => (
          <ContactItem key={card.contact.id} store={store} state={state} card={card} call={call} />
        ))}
      </ul>
      {shown.length < contacts.length ? (
        <button type="button" class="link" data-testid={`role-group-more-${role}`} onClick={() => setAll(true)}>
          {t("show_all", contacts.length)}
        </button>
      ) : null}
    </section>
  );
}

export function PeopleView({ store, state }: { store: PanelStore; state: PanelState }): JSX.Element {
  const [query, setQuery] = useState("");
  const filtered = useMemo(() => state.people.filter((card) => matchesQuery(card, query)), [state.people, query]);
  const groups = useMemo(() => groupByRole(filtered), [filtered]);
  const call = store.focused();
  const missing = state.context?.missing_roles ?? [];
  return (
    <div class="people-view">
      <label class="search">
        <span class="visually-hidden">{t("search_people")}</span>
        <input type="search" data-testid="people-search" placeholder={t("search_people")} value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
      </label>
      {missing.length ? (
        <ul class="hints" aria-label={t("missing_roles")}>
          {missing.map((role) => (
            <li key={role} class="hint" data-testid={`missing-role-${role}`}>
              {t("missing_role", roleLabel(role))}
            </li>
          ))}
        </ul>
      ) : null}
      <p class="muted small" data-testid="people-count" aria-live="polite">
        {query ? t("people_found", filtered.length, state.people.length) : t("people_total", state.people.length)}
      </p>
      {groups.map((g) => (
        <RoleGroupSection key={g.role} store={store} state={state} role={g.role} contacts={g.contacts} call={call} searching={query.trim() !== ""} />
      ))}
      {!state.people.length ? <p class="empty">{t("no_people")}</p> : null}
    </div>
  );
}
