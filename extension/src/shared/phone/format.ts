// How every part of the extension writes a phone number for a person: the panel, the
// page's buttons and toasts, and the background's notifications.

import { parsePhoneNumberFromString } from "libphonenumber-js/max";

const E164_RE = /^\+[1-9]\d{6,14}$/;

/** "+1 415 555 0132" for "+14155550132"; other text unchanged. */
export function formatNumber(text: string): string {
  if (!E164_RE.test(text)) return text;
  return parsePhoneNumberFromString(text)?.formatInternational() ?? text;
}

/** What to show for a SIP URI: its number when the user part is one, else the URI without "sip:". */
export function formatUri(uri: string): string {
  const inner = /<([^>]+)>/.exec(uri)?.[1] ?? uri;
  const user = /^(?:sips?|tel):([^@;>]+)/i.exec(inner)?.[1];
  if (user && E164_RE.test(user)) return formatNumber(user);
  return inner.replace(/^sips?:/i, "");
}
