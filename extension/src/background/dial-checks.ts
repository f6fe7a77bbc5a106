// Which page calls ask the user first: a link whose visible number is not the number it
// dials (digits compared after normalisation), and a SIP URI outside the domains of the
// user's own accounts. Pure functions, tested without a browser.

import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { AccountStatus } from "../protocol/index";
import { asciiDigits } from "../shared/phone/display-text";

/** The built-in account that dials URIs directly: it has no domain of its own. */
const LOCAL_ACCOUNT_ID = "local";
/** Fewer digits than this on a link ("Call", "Call us") show no number to compare. */
const MIN_SHOWN_DIGITS = 3;

export type ConfirmReason = "link_mismatch" | "sip_domain";

/** The ways of writing `e164`'s digits that show the same number. */
function writings(e164: string): Set<string> {
  const digits = e164.replace(/^\+/, "");
  const out = new Set([digits, `00${digits}`, `011${digits}`]);
  const number = parsePhoneNumberFromString(e164);
  if (number) {
    out.add(number.nationalNumber);
    out.add(`0${number.nationalNumber}`);
    out.add(asciiDigits(number.formatNational()));
  }
  return out;
}

/**
 * True when a link's visible text shows a number (three digits or more) that is not the
 * E.164 number `target` it dials, in any usual writing of it (international, with 00 or
 * 011, national with or without its trunk prefix).
 */
export function linkShowsAnotherNumber(shown: string, target: string): boolean {
  if (!target.startsWith("+")) return false;
  const digits = asciiDigits(shown);
  if (digits.length < MIN_SHOWN_DIGITS) return false;
  return !writings(target).has(digits);
}

/** The host of a sip:/sips: URI, lower case, without port or brackets; null for anything else. */
export function sipHost(uri: string): string | null {
  const m = /^sips?:(?:[^@;?]*@)?(\[[0-9A-Fa-f:.]+\]|[^:;?>]+)/i.exec(uri.trim());
  return m ? (m[1] as string).replace(/^\[|\]$/g, "").toLowerCase() : null;
}

function hostOf(value: string | null | undefined): string | null {
  if (!value) return null;
  if (/^sips?:/i.test(value)) return sipHost(value);
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:]+)/.exec(value);
  return m ? (m[1] as string).replace(/^\[|\]$/g, "").toLowerCase() : null;
}

/** The domains of the user's SIP accounts: each address of record's, registrar's, proxy's and dial plan's host. */
export function accountDomains(accounts: readonly AccountStatus[]): Set<string> {
  const out = new Set<string>();
  for (const { config } of accounts) {
    if (config.id === LOCAL_ACCOUNT_ID) continue;
    for (const value of [config.uri, config.registrar, config.proxy, config.dial_plan?.domain]) {
      const host = hostOf(value);
      if (host) out.add(host);
    }
  }
  return out;
}

/** True for a SIP URI whose host is none of `domains` (with no account, every SIP URI). */
export function sipOutsideDomains(target: string, domains: ReadonlySet<string>): boolean {
  const host = sipHost(target);
  return host !== null && !domains.has(host);
}

/** Why a page call must be confirmed first, or null; `domains` only matters for SIP URIs. */
export function confirmReason(target: string, shown: string | null, domains: ReadonlySet<string>): ConfirmReason | null {
  if (shown !== null && linkShowsAnotherNumber(shown, target)) return "link_mismatch";
  if (sipOutsideDomains(target, domains)) return "sip_domain";
  return null;
}
