// A whole string (a selection, an input's value, a target a page asked to call) as one
// thing to dial, or nothing: the check the content script and the background both apply.

import type { CountryCode } from "libphonenumber-js/max";
import { formatNumber } from "./format";
import { dialableFromHref } from "./links";
import { findNumbersInText } from "./text-search";
import type { Dialable, FoundNumber } from "./types";

const MAX_DIALABLE_TEXT = 256;
/** Text around the number that still reads as a label: no digits, a few words at most. */
const MAX_LABEL_CHARS = 32;
const SIP_IN_TEXT_RE = /(?<![\p{L}\p{N}])sips?:[^\s<>"'`]+/giu;
const TEL_TEXT_RE = /^\s*(?:tel|callto):\S+\s*$/i;
const TRAILING_PUNCT_RE = /[.,;:!?)\]}>'"]+$/;

function isLabel(rest: string): boolean {
  if (/\p{Nd}/u.test(rest)) return false;
  const letters = rest.replace(/[\s\p{P}\p{S}\p{Cf}]/gu, "");
  return letters.length <= MAX_LABEL_CHARS;
}

/**
 * A whole string (a selection, an input's value) as one thing to dial: one
 * phone number, possibly with a short label and punctuation around it
 * ("Call: +1 (415) 555-0132."), or one SIP URI (or tel:/callto: link text);
 * otherwise null.
 */
export function dialableFromText(text: string, region: CountryCode | undefined): Dialable | null {
  if (text.length > MAX_DIALABLE_TEXT) return null;
  const uris = [...text.matchAll(SIP_IN_TEXT_RE)];
  if (uris.length > 0) {
    if (uris.length !== 1) return null;
    const uri = uris[0] as RegExpExecArray;
    const token = uri[0].replace(TRAILING_PUNCT_RE, "");
    if (!isLabel(text.slice(0, uri.index) + text.slice(uri.index + token.length))) return null;
    return dialableFromHref(token, region);
  }
  const found = findNumbersInText(text, region);
  if (found.length === 1) {
    const only = found[0] as FoundNumber;
    if (!isLabel(text.slice(0, only.start) + text.slice(only.end))) return null;
    return { target: only.e164, e164: only.e164, display: formatNumber(only.e164) };
  }
  // A copied link such as "tel:+1-415-555-0132;ext=12".
  if (found.length === 0 && TEL_TEXT_RE.test(text)) return dialableFromHref(text.trim(), region);
  return null;
}
