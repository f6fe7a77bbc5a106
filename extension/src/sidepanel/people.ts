// The people view's rules: the fixed order of roles, grouping, the search that filters
// contacts, and how a contact's phones and relations read.

import { ROLES, type ContactCard, type Role } from "../protocol/index";

/** Roles in the order the people view shows them: the protocol's own order. */
export const ROLE_ORDER: readonly Role[] = ROLES;

function rank(role: Role): number {
  const index = ROLE_ORDER.indexOf(role);
  return index < 0 ? ROLE_ORDER.length : index;
}

function contactName(card: ContactCard): string {
  return `${card.contact.first_name ?? ""} ${card.contact.last_name}`.trim();
}

export { contactName };

/** Contacts sorted by role order; within a role the primary contact first, then as given. */
export function orderGroups(people: ContactCard[]): ContactCard[] {
  return people
    .map((card, index) => ({ card, index }))
    .sort(
      (a, b) =>
        rank(a.card.role) - rank(b.card.role) ||
        Number(b.card.is_primary) - Number(a.card.is_primary) ||
        a.index - b.index,
    )
    .map(({ card }) => card);
}

export interface Group {
  role: Role;
  contacts: ContactCard[];
}

/** Contacts (already ordered) as groups in role order; empty roles are left out. */
export function groupByRole(people: ContactCard[]): Group[] {
  const groups: Group[] = [];
  for (const card of people) {
    const last = groups.at(-1);
    if (last && last.role === card.role) last.contacts.push(card);
    else groups.push({ role: card.role, contacts: [card] });
  }
  return groups;
}

function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase();
}

/** Whether every word of `query` is in the contact's name, title, account, email or phones. */
export function matchesQuery(card: ContactCard, query: string): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const phones = (card.contact.phones ?? []).flatMap((p) => [p.raw, p.e164 ?? "", p.raw.replace(/\D/g, "")]);
  const haystack = fold(
    [contactName(card), card.contact.title ?? "", card.account_name, card.contact.email ?? "", card.source_role, ...phones].join(
      " ",
    ),
  );
  return words.every((word) => haystack.includes(word));
}
