// The options page's Phone section: the SIP accounts the host has, each with its live
// registration state (and, when it failed, why and what to do, in the host's words),
// edit, remove and a test call; and the form that adds or changes one. Everything goes
// through the background's host connection; the password only passes through, once.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import type { AccountStatus } from "../protocol/index";
import type { ConnectionState } from "../shared/state";
import { defaultRegion, regionChoices } from "../shared/phone/region";
import { RichText } from "../shared/rich-text";
import { t, uiLanguage, type MessageKey } from "../shared/i18n";
import { SRTP_MODES, TRANSPORTS, emptyForm, formFromConfig, toSetParams, validate, type AccountForm, type FormErrors } from "./account-form";
import { hostClient } from "./host-client";
import { testCall } from "./test-call";

const LOCAL = "local";

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function useHost(): { state: ConnectionState | null; accounts: AccountStatus[] | null; reload: () => void } {
  const client = hostClient();
  const [state, setState] = useState<ConnectionState | null>(client.lastState?.state ?? null);
  const [accounts, setAccounts] = useState<AccountStatus[] | null>(null);
  const reload = (): void => {
    client
      .request("account.list", {})
      .then(({ accounts: list }) => setAccounts((list ?? []).filter((a) => a.config.id !== LOCAL)))
      .catch(() => undefined); // the connection state says why
  };
  useEffect(() => client.onState((next) => setState(next)), [client]);
  useEffect(() => {
    if (state?.status === "connected") reload();
  }, [state?.status, state?.since]);
  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type === "account.registration") reload();
      }),
    [client],
  );
  return { state, accounts, reload };
}

const STATE_KEYS: Record<string, MessageKey> = {
  none: "phone_state_none",
  registering: "phone_state_registering",
  registered: "phone_state_registered",
  failed: "phone_state_failed",
  unregistered: "phone_state_unregistered",
};

function TestCall({ account }: { account: AccountStatus }): JSX.Element {
  const [target, setTarget] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const id = account.config.id;
  const run = (): void => {
    if (!target.trim() || busy) return;
    setBusy(true);
    setResult({ ok: true, text: t("phone_test_calling", target.trim()) });
    void testCall(hostClient(), id, target.trim(), {
      progress: (call) => {
        if (call.state === "ringing" || call.state === "early") setResult({ ok: true, text: t("phone_test_ringing") });
      },
    }).then((outcome) => {
      setBusy(false);
      setResult(outcome.ok ? { ok: true, text: t("phone_test_ok") } : { ok: false, text: t("phone_test_failed", outcome.reason) });
    });
  };
  return (
    <form
      class="actions"
      onSubmit={(e) => {
        e.preventDefault();
        run();
      }}
    >
      <label>
        {t("phone_test_target")}{" "}
        <input type="text" data-testid="test-call-target" value={target} placeholder={t("phone_test_placeholder")} onInput={(e) => setTarget((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <button type="submit" data-testid="test-call" disabled={busy || !target.trim()}>
        {t("phone_test_call")}
      </button>
      <span role="status" aria-live="polite" data-testid="test-call-result" data-ok={result ? String(result.ok) : undefined} class={result && !result.ok ? "error" : undefined}>
        {result?.text ?? ""}
      </span>
    </form>
  );
}

function AccountRow({ account, onEdit, reload }: { account: AccountStatus; onEdit: () => void; reload: () => void }): JSX.Element {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState("");
  const config = account.config;
  const why = account.status_code ? `${account.status_code} ${account.reason}`.trim() : account.reason;
  const remove = (): void => {
    hostClient()
      .request("account.remove", { account_id: config.id })
      .then(reload)
      .catch((err: unknown) => setError(errorText(err)));
  };
  return (
    <li data-testid={`phone-account-${config.id}`}>
      <div class="head">
        <span class="address">{config.uri}</span>
        <span class="reg" data-testid="registration-state" data-state={account.registration}>
          {t(STATE_KEYS[account.registration] ?? "phone_state_none")}
        </span>
        {account.registration === "registered" && account.expires_s ? <span class="muted">{t("phone_expires", account.expires_s)}</span> : null}
      </div>
      <p class="muted">
        {[config.registrar ? t("phone_via", config.registrar) : t("phone_no_registrar"), config.username ? t("phone_user", config.username) : "", config.transport?.toUpperCase() ?? "UDP", account.has_password ? t("phone_password_kept") : ""]
          .filter(Boolean)
          .join(" · ")}
      </p>
      {account.listen ? (
        <p class="muted" data-testid="phone-exposure">
          {t("phone_exposure", account.listen, account.accepts_from)}
        </p>
      ) : null}
      {account.registration === "failed" ? (
        <div role="alert">
          <p class="error" data-testid="registration-reason">
            {t("phone_failed_because", why || t("phone_no_answer"))}
          </p>
          {account.advice ? (
            <p data-testid="registration-fix">
              <strong>{t("phone_fix")}</strong> <RichText text={account.advice} />
            </p>
          ) : null}
        </div>
      ) : null}
      <div class="actions">
        <button type="button" data-testid="phone-edit" onClick={onEdit}>
          {t("phone_edit")}
        </button>
        {confirming ? (
          <>
            <button type="button" class="primary" data-testid="phone-remove-confirm" onClick={remove}>
              {t("phone_remove_confirm")}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t("phone_cancel")}
            </button>
          </>
        ) : (
          <button type="button" data-testid="phone-remove" onClick={() => setConfirming(true)}>
            {t("phone_remove")}
          </button>
        )}
      </div>
      {error ? <p role="alert" class="error">{error}</p> : null}
      <TestCall account={account} />
    </li>
  );
}

interface FieldProps {
  name: keyof AccountForm;
  label: MessageKey;
  form: AccountForm;
  errors: FormErrors;
  set: (patch: Partial<AccountForm>) => void;
  type?: "text" | "password";
  hint?: MessageKey;
  autocomplete?: string;
  placeholder?: string;
}

function Field({ name, label, form, errors, set, type = "text", hint, autocomplete = "off", placeholder }: FieldProps): JSX.Element {
  const id = `phone-${name}`;
  const error = errors[name];
  const described = [error ? `${id}-error` : "", hint ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined;
  const input = {
    id,
    "data-testid": id,
    value: String(form[name]),
    autocomplete,
    placeholder,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": described,
    onInput: (e: Event) => set({ [name]: (e.currentTarget as HTMLInputElement).value }),
  };
  return (
    <>
      <label for={id}>{t(label)}</label>
      {type === "password" ? <input type="password" {...input} /> : <input type="text" {...input} />}
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {t(hint)}
        </p>
      ) : null}
      {error ? (
        <p class="field-error error" id={`${id}-error`}>
          {t(error)}
        </p>
      ) : null}
    </>
  );
}

function AccountFormView({ initial, original, taken, onDone }: { initial: AccountForm; original?: AccountStatus; taken: string[]; onDone: (saved: boolean) => void }): JSX.Element {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<AccountForm>): void => setForm((f) => ({ ...f, ...patch }));
  const props = { form, errors, set };
  const countries = regionChoices(uiLanguage());
  const submit = (e: Event): void => {
    e.preventDefault();
    const found = validate(form);
    setErrors(found);
    if (Object.keys(found).length) {
      const first = Object.keys(found)[0];
      document.getElementById(`phone-${first}`)?.focus();
      return;
    }
    setSaving(true);
    setFailure("");
    hostClient()
      .request("account.set", toSetParams(form, taken, original?.config))
      .then(() => {
        setForm((f) => ({ ...f, password: "" })); // not kept a moment longer than needed
        onDone(true);
      })
      .catch((err: unknown) => setFailure(errorText(err)))
      .finally(() => setSaving(false));
  };
  return (
    <form class="account" data-testid="phone-form" aria-labelledby="phone-form-title" onSubmit={submit} noValidate>
      <h3 id="phone-form-title" class="full">
        {t(original ? "phone_edit_title" : "phone_add_title")}
      </h3>
      <Field name="address" label="phone_address" placeholder="alice@pbx.example.com" hint="phone_address_hint" {...props} />
      <Field name="displayName" label="phone_display_name" {...props} />
      <Field name="registrar" label="phone_registrar" placeholder="pbx.example.com" hint="phone_registrar_hint" {...props} />
      <Field name="username" label="phone_username" autocomplete="username" {...props} />
      <Field name="password" label="phone_password" type="password" autocomplete="new-password" hint={original?.has_password ? "phone_password_keep" : "phone_password_hint"} {...props} />
      <label for="phone-transport">{t("phone_transport")}</label>
      <select id="phone-transport" data-testid="phone-transport" value={form.transport} onChange={(e) => set({ transport: (e.currentTarget as HTMLSelectElement).value as AccountForm["transport"] })}>
        {TRANSPORTS.map((name) => (
          <option key={name} value={name}>
            {name.toUpperCase()}
          </option>
        ))}
      </select>
      <Field name="caFile" label="phone_ca_file" hint="phone_ca_file_hint" {...props} />
      <span />
      <label>
        <input type="checkbox" data-testid="phone-verify" checked={form.verifyServer} onChange={(e) => set({ verifyServer: (e.currentTarget as HTMLInputElement).checked })} /> {t("phone_verify")}
      </label>
      <label for="phone-srtp">{t("phone_srtp")}</label>
      <select id="phone-srtp" data-testid="phone-srtp" value={form.srtp} aria-describedby={errors.srtp ? "phone-srtp-error" : undefined} onChange={(e) => set({ srtp: (e.currentTarget as HTMLSelectElement).value as AccountForm["srtp"] })}>
        {SRTP_MODES.map((mode) => (
          <option key={mode} value={mode}>
            {t(`phone_srtp_${mode}`)}
          </option>
        ))}
      </select>
      {errors.srtp ? (
        <p class="field-error error" id="phone-srtp-error">
          {t(errors.srtp)}
        </p>
      ) : null}
      <Field name="proxy" label="phone_proxy" hint="phone_proxy_hint" {...props} />
      <label for="phone-region">{t("phone_region")}</label>
      <select id="phone-region" data-testid="phone-region" value={form.region} onChange={(e) => set({ region: (e.currentTarget as HTMLSelectElement).value })}>
        {countries.map(({ code, name }) => (
          <option key={code} value={code}>
            {name}
          </option>
        ))}
      </select>
      <Field name="dialPrefix" label="phone_dial_prefix" hint="phone_dial_prefix_hint" {...props} />
      <div class="actions full">
        <button type="submit" class="primary" data-testid="phone-save" disabled={saving}>
          {t("phone_save")}
        </button>
        <button type="button" onClick={() => onDone(false)}>
          {t("phone_cancel")}
        </button>
      </div>
      {failure ? (
        <p role="alert" class="error full" data-testid="phone-save-error">
          {t("phone_save_failed", failure)}
        </p>
      ) : null}
    </form>
  );
}

export function PhoneAccounts(): JSX.Element {
  const { state, accounts, reload } = useHost();
  const [editing, setEditing] = useState<{ form: AccountForm; original?: AccountStatus } | null>(null);
  useEffect(() => {
    if (location.hash !== "#phone") return;
    const section = document.getElementById("phone");
    section?.scrollIntoView();
    document.getElementById("phone-title")?.focus();
  }, []);
  const region = defaultRegion(null, navigator.languages ?? [navigator.language]) ?? "US";
  const taken = (accounts ?? []).map((a) => a.config.id);
  const connected = state?.status === "connected";
  return (
    <section id="phone" data-testid="phone-section" aria-labelledby="phone-title">
      <h2 id="phone-title" tabIndex={-1}>
        {t("phone_title")}
      </h2>
      <p>{t("phone_help")}</p>
      {!connected ? (
        <p class="error" data-testid="phone-host-status">
          {state ? <RichText text={state.fix ? `${state.message} ${state.fix}` : state.message} /> : t("options_loading")}
        </p>
      ) : accounts === null ? (
        <p>{t("options_loading")}</p>
      ) : accounts.length === 0 && !editing ? (
        <p data-testid="phone-none">{t("phone_none")}</p>
      ) : (
        <ul class="accounts">
          {accounts.map((account) => (
            <AccountRow key={account.config.id} account={account} reload={reload} onEdit={() => setEditing({ form: formFromConfig(account.config), original: account })} />
          ))}
        </ul>
      )}
      {editing ? (
        <AccountFormView
          key={editing.original?.config.id ?? "new"}
          initial={editing.form}
          original={editing.original}
          taken={taken}
          onDone={(saved) => {
            setEditing(null);
            if (saved) reload();
          }}
        />
      ) : connected ? (
        <button type="button" class="primary" data-testid="phone-add" onClick={() => setEditing({ form: emptyForm(region) })}>
          {t("phone_add")}
        </button>
      ) : null}
    </section>
  );
}
