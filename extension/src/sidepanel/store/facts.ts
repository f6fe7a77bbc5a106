// Pure facts read off calls, contacts and SIP addresses; no state.

import type { CallInfo, ContactCard } from "../../protocol/index";

export function isLive(call: CallInfo): boolean {
  return call.state !== "disconnected";
}

export function isRingingInbound(call: CallInfo): boolean {
  return call.direction === "inbound" && call.state === "ringing";
}

/** The first dialable number or address of a contact: an E.164 phone, else its SIP URI. */
export function contactTarget(card: ContactCard): string | null {
  for (const phone of card.contact.phones ?? []) if (phone.e164) return phone.e164;
  return card.contact.sip_uri ?? null;
}

/** A CRM the host can write back to, when the call's page came from one. */
export function writeBackCrm(call: CallInfo | undefined): "salesforce" | "dynamics" | "hubspot" | undefined {
  const crm = call?.record?.crm;
  return crm === "salesforce" || crm === "dynamics" || crm === "hubspot" ? crm : undefined;
}

/** "+14155550100" from "sip:+14155550100@host" or "<tel:+1…>", when the user part is a number. */
export function userPartNumber(uri: string): string | null {
  const match = /^(?:.*<)?(?:sips?|tel):([+0-9][0-9().\- ]{5,30})(?:[@;>]|$)/i.exec(uri.trim());
  if (!match?.[1]) return null;
  const digits = match[1].replace(/[().\- ]/g, "");
  return /^\+?[0-9]{6,15}$/.test(digits) ? digits : null;
}
