// The phone account form's model: what the user types, checked field by field, and
// the `account.set` params made from it. The password is sent once, in those params,
// when the user typed one; it is never kept anywhere in the extension (the host puts
// it in the OS keyring). Editing keeps every setting the form does not show.

import type { AccountConfig, AccountSetParams } from "../protocol/index";
import type { MessageKey } from "../shared/i18n";

export const TRANSPORTS = ["udp", "tcp", "tls"] as const;
export type Transport = (typeof TRANSPORTS)[number];
export const SRTP_MODES = ["off", "optional", "mandatory"] as const;
export type SrtpMode = (typeof SRTP_MODES)[number];

export interface AccountForm {
  /** Set when editing; a new account's id is made from its address. */
  id: string;
  /** The SIP address: `alice@pbx.example.com` or `sip:alice@pbx.example.com`. */
  address: string;
  displayName: string;
  /** `pbx.example.com[:port]` or a sip: URI; empty: no registration. */
  registrar: string;
  /** Outbound proxy, same forms as the registrar; empty: none. */
  proxy: string;
  username: string;
  /** Empty when editing keeps the stored password. */
  password: string;
  transport: Transport;
  caFile: string;
  verifyServer: boolean;
  srtp: SrtpMode;
  /** Two letters; numbers without a country code are from here. */
  region: string;
  /** Digits dialled before every number (e.g. 9 for an outside line). */
  dialPrefix: string;
}

export type FormErrors = Partial<Record<keyof AccountForm, MessageKey>>;

const ACCOUNT_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const USER_AT_HOST = /^(?:sips?:)?([^\s<>"@:;]+)@([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;
const HOST_PORT = /^(?:sips?:)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?((?:;[A-Za-z0-9=_.-]+)*)$/;
const USERNAME = /^[^\s"\\]+$/;
const REGION = /^[A-Z]{2}$/;
const DIAL_PREFIX = /^[0-9]{0,6}$/;

export function emptyForm(region: string): AccountForm {
  return {
    id: "",
    address: "",
    displayName: "",
    registrar: "",
    proxy: "",
    username: "",
    password: "",
    transport: "udp",
    caFile: "",
    verifyServer: true,
    srtp: "off",
    region: REGION.test(region) ? region : "US",
    dialPrefix: "",
  };
}

/** The form filled from a stored account (the password field stays empty). */
export function formFromConfig(config: AccountConfig): AccountForm {
  return {
    id: config.id,
    address: config.uri.replace(/^sip:/, ""),
    displayName: config.display_name ?? "",
    registrar: (config.registrar ?? "").replace(/^sip:/, ""),
    proxy: (config.proxy ?? "").replace(/^sip:/, "").replace(/;lr$/, ""),
    username: config.username ?? "",
    password: "",
    transport: config.transport ?? "udp",
    caFile: config.ca_file ?? "",
    verifyServer: config.verify_server ?? true,
    srtp: config.srtp ?? "off",
    region: config.dial_plan?.default_region ?? "US",
    dialPrefix: config.dial_plan?.outbound_prefix ?? "",
  };
}

function portOk(port: string | undefined): boolean {
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

function sipUri(text: string): string {
  const value = text.trim();
  return /^sips?:/.test(value) ? value : `sip:${value}`;
}

/** An id for a new account from its address's user part, not one of `taken`. */
export function accountIdFor(address: string, taken: readonly string[]): string {
  const user = USER_AT_HOST.exec(address.trim())?.[1] ?? "";
  let base = user.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[-_]+/, "").slice(0, 28);
  if (!base || !/^[a-z0-9]/.test(base)) base = "phone";
  let id = base;
  for (let n = 2; taken.includes(id) || id === "local"; n++) id = `${base}-${n}`;
  return id;
}

/** Field → message key of what is wrong with it; empty when the form can be sent. */
export function validate(form: AccountForm): FormErrors {
  const errors: FormErrors = {};
  const address = USER_AT_HOST.exec(form.address.trim());
  if (!form.address.trim()) errors.address = "phone_error_required";
  else if (!address || !portOk(address[3]) || sipUri(form.address).length > 256) errors.address = "phone_error_address";
  for (const field of ["registrar", "proxy"] as const) {
    const value = form[field].trim();
    if (!value) continue;
    const match = HOST_PORT.exec(value);
    if (!match || !portOk(match[2]) || sipUri(value).length > 250) errors[field] = "phone_error_host";
  }
  if (form.displayName.length > 100) errors.displayName = "phone_error_too_long";
  if (form.username && (!USERNAME.test(form.username) || form.username.length > 128)) errors.username = "phone_error_username";
  if (form.password.length > 256) errors.password = "phone_error_too_long";
  if (form.password && !form.username.trim()) errors.username = "phone_error_username_needed";
  if (!form.id && form.registrar.trim() && form.username.trim() && !form.password) errors.password = "phone_error_password_needed";
  if (form.caFile.length > 1024) errors.caFile = "phone_error_too_long";
  if (form.caFile && form.transport !== "tls") errors.caFile = "phone_error_ca_needs_tls";
  // SDES puts the SRTP keys in the SDP: over UDP or TCP anyone on the path reads them.
  if (form.srtp !== "off" && form.transport !== "tls") errors.srtp = "phone_error_srtp_needs_tls";
  if (!REGION.test(form.region)) errors.region = "phone_error_region";
  if (!DIAL_PREFIX.test(form.dialPrefix)) errors.dialPrefix = "phone_error_prefix";
  return errors;
}

/**
 * The `account.set` params for a valid form (check `validate` first). `original` is the
 * account being edited: settings this form does not show are kept from it.
 */
export function toSetParams(form: AccountForm, taken: readonly string[], original?: AccountConfig): AccountSetParams {
  const id = form.id || accountIdFor(form.address, taken);
  if (!ACCOUNT_ID.test(id)) throw new Error(`not an account id: ${id}`);
  const registrar = form.registrar.trim();
  const proxy = form.proxy.trim();
  const proxyUri = proxy ? sipUri(proxy) : null;
  const account: AccountConfig = {
    ...(original ?? {}),
    id,
    uri: sipUri(form.address),
    display_name: form.displayName.trim(),
    registrar: registrar ? sipUri(registrar) : null,
    // A proxy is routed through loosely (RFC 3261 `lr`), as every current PBX expects.
    proxy: proxyUri && !/;lr(?:[;=]|$)/.test(proxyUri) ? `${proxyUri};lr` : proxyUri,
    username: form.username.trim() || null,
    transport: form.transport,
    verify_server: form.verifyServer,
    ca_file: form.transport === "tls" && form.caFile.trim() ? form.caFile.trim() : null,
    srtp: form.srtp,
    dial_plan: {
      ...(original?.dial_plan ?? {}),
      default_region: form.region,
      outbound_prefix: form.dialPrefix,
    },
  };
  return form.password ? { account, password: form.password } : { account };
}
