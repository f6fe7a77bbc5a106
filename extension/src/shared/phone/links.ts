// What a tel:, callto:, sip: or sips: link dials: the number (validated for the region
// given) or the SIP URI (checked character by character), or nothing.

import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from "libphonenumber-js/max";
import type { Dialable } from "./types";

function dialableNumber(number: PhoneNumber | undefined): Dialable | null {
  if (!number || !number.isValid()) return null;
  return { target: number.number, e164: number.number, display: number.formatInternational() };
}

const MAX_HREF = 2048;
const HREF_SCHEME_RE = /^(tel|callto|sips?):/i;
/** What a tel: or callto: number may hold: digits, "+", and visual separators. */
const DIALLED_NUMBER_RE = /^\+?[0-9(][0-9\-.() \u00A0]*$/;

function decodePercent(s: string): string | null {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** tel: parameters whose values we check although we do not use them. */
const TEL_VALUE_PARAMS = new Set(["ext", "postd", "isub"]);

function numberFromTelLike(rest: string, region: CountryCode | undefined, withParams: boolean): Dialable | null {
  let body = rest.replace(/^\/\//, "");
  let context: string | null = null;
  if (withParams) {
    const [head, ...params] = body.split(";");
    body = head ?? "";
    for (const param of params) {
      const eq = param.indexOf("=");
      const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
      const value = eq < 0 ? "" : param.slice(eq + 1).trim();
      if (!/^[a-z0-9\-]+$/.test(name)) return null;
      if (name === "phone-context") context = decodePercent(value);
      else if (TEL_VALUE_PARAMS.has(name) && !/^[0-9A-Za-z\-.()*#%]*$/.test(value)) return null;
    }
  }
  const decoded = decodePercent(body);
  if (decoded === null) return null;
  let number = decoded.trim();
  if (!DIALLED_NUMBER_RE.test(number)) return null;
  if (!number.startsWith("+") && context !== null && /^\+[0-9\-.()]+$/.test(context)) {
    number = context + number;
  }
  return dialableNumber(parsePhoneNumberFromString(number, region));
}

const SIP_USER = "(?:[A-Za-z0-9\\-_.!~*()&=+$,/]|%[0-9A-Fa-f]{2})+";
const SIP_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?";
const SIP_HOST = `(?:${SIP_LABEL}(?:\\.${SIP_LABEL})*\\.?|\\[[0-9A-Fa-f:.]{2,45}\\])`;
const SIP_PARAM = ";[A-Za-z0-9\\-_.!~*%]+(?:=(?:[A-Za-z0-9\\-_.!~*%\\[\\]/:&+$]+))?";
const SIP_FORBIDDEN_RE = /[\s"'<>`\u0000-\u001F\u007F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/;
const SIP_RE = new RegExp(`^(sips?):(${SIP_USER})@(${SIP_HOST})(?::([0-9]{1,5}))?((?:${SIP_PARAM})*)$`, "i");

function sipDialable(href: string): Dialable | null {
  const m = SIP_RE.exec(href);
  if (!m) return null;
  const [, scheme, user, host, port, params] = m;
  if (port !== undefined && Number(port) > 65535) return null;
  // Escapes may not smuggle in what the plain form forbids.
  for (const part of [user as string, params ?? ""]) {
    const decoded = decodePercent(part);
    if (decoded === null || SIP_FORBIDDEN_RE.test(decoded)) return null;
  }
  const address = port !== undefined ? `${host}:${port}` : host;
  const target = `${(scheme as string).toLowerCase()}:${user}@${address}${params ?? ""}`;
  let e164: string | null = null;
  const userText = decodePercent(user as string);
  if (userText && /^\+[0-9][0-9\-.()]*$/.test(userText)) {
    const number = parsePhoneNumberFromString(userText);
    if (number && number.isValid()) e164 = number.number;
  }
  return { target, e164, display: target };
}

/**
 * A tel:, callto:, sip: or sips: href as something to dial, or null when it
 * is not a valid number or SIP URI.
 */
export function dialableFromHref(href: string, region: CountryCode | undefined): Dialable | null {
  if (href.length > MAX_HREF) return null;
  const trimmed = href.trim();
  const scheme = HREF_SCHEME_RE.exec(trimmed);
  if (!scheme) return null;
  const name = (scheme[1] as string).toLowerCase();
  const rest = trimmed.slice(scheme[0].length);
  if (name === "tel") return numberFromTelLike(rest, region, true);
  if (name === "callto") return numberFromTelLike(rest, region, false);
  return sipDialable(trimmed);
}
