// The people a deal page shows, in the shapes real CRMs use besides tables of people
// (adapters/tables.ts): rows of any table whose first column names a person, label/value
// blocks ("Contact: Anna Schmidt" with her phones beside), inline sub-forms (first and
// last name, title, phone inputs per person), and cards or list items of contacts.
// Phones are read with the page's number detection, as E.164.

import type { SnapshotContact } from "../../protocol";
import { attr, deepQueryAll, textOf, valueOf, walkElements } from "../adapters/dom";
import { contactFromTableRow } from "../adapters/tables";
import { dialableFromHref } from "../../shared/phone/links";
import { findNumbersInText } from "../../shared/phone/text-search";
import type { CountryCode } from "libphonenumber-js/max";
import { classifyLabel, type LabelledValue } from "./fields";

type Person = Partial<SnapshotContact>;

/** Phone numbers in `root` as E.164: tel: links, phone inputs, numbers in its text. */
export function phonesOf(root: Element, region: CountryCode | undefined): string[] {
  const out: string[] = [];
  const add = (e164: string | null | undefined): void => {
    if (e164 && !out.includes(e164)) out.push(e164);
  };
  for (const el of walkElements(root, 5000)) {
    if (el.tagName === "A" && /^(tel|callto):/i.test(attr(el, "href"))) add(dialableFromHref(attr(el, "href"), region)?.e164);
    if (el.tagName === "INPUT") {
      const input = el as HTMLInputElement;
      const label = `${input.type} ${attr(input, "name")} ${attr(input, "aria-label")} ${attr(input, "placeholder")}`;
      if (/tel|phone|mobile|telefon|téléphone|teléfono|电话|手机/i.test(label)) {
        for (const hit of findNumbersInText(input.value, region)) add(hit.e164);
      }
    }
  }
  for (const hit of findNumbersInText(textOf(root, 20_000), region)) add(hit.e164);
  return out;
}

function emailOf(root: Element): string {
  const link = root.querySelector('a[href^="mailto:" i]');
  if (link) return attr(link, "href");
  for (const input of Array.from(root.querySelectorAll("input"))) {
    if (input.type === "email" || /mail/i.test(attr(input, "name"))) return input.value;
  }
  return /[^\s@<>]+@[^\s@<>]+\.[a-z]{2,}/i.exec(textOf(root, 2000))?.[0] ?? "";
}

// ---------------------------------------------------------------------------------

/** Every table row that names a person (a Name/Contact/Person column with something about them). */
export function peopleFromRows(doc: Document, region: CountryCode | undefined): Person[] {
  const out: Person[] = [];
  for (const row of deepQueryAll(doc, 'tr, [role="row"]').slice(0, 5000)) {
    const cell = row.firstElementChild;
    if (!cell || row.parentElement?.tagName === "THEAD" || cell.tagName === "TH") continue;
    if (cell.getAttribute("role") === "columnheader") continue;
    const person = contactFromTableRow(cell);
    if (!person) continue;
    // A phone column read already; else the numbers anywhere in the row.
    out.push(person.phones?.length ? person : { ...person, phones: phonesOf(row, region) });
  }
  return out;
}

/** People in label/value blocks: a Contact label's value, with the role, title and phones of the same block. */
export function peopleFromLabels(values: LabelledValue[], region: CountryCode | undefined): Person[] {
  const out: Person[] = [];
  for (const v of values) {
    if (v.kind !== "contact") continue;
    const name = v.valueEl.matches("input, select, textarea") ? v.value : textOf(v.valueEl.querySelector("a") ?? v.valueEl, 200);
    if (!name || /\d{3}/.test(name)) continue;
    // The block: the nearest ancestor holding more than this pair, at most a few levels up.
    let block: Element = v.label.parentElement ?? v.label;
    for (let i = 0; i < 3 && block.parentElement && !block.contains(v.valueEl); i++) block = block.parentElement;
    const person: Person = { name, phones: phonesOf(block, region), email: emailOf(block) };
    for (const other of values) {
      if (!block.contains(other.label)) continue;
      if (other.kind === "role" && !person.role) person.role = other.value;
      if (other.kind === "title" && !person.title) person.title = other.value;
    }
    out.push(person);
  }
  return out;
}

const FIRST = /first.?name|given.?name|vorname|pr[ée]nom|^nombre$|nombre.?de.?pila|^名$|firstname/i;
const LAST = /last.?name|family.?name|surname|nachname|^nom$|nom.?de.?famille|apellido|^姓$|lastname/i;

function inputKind(input: Element): string {
  const id = attr(input, "id");
  const label = id
    ? (Array.from(input.ownerDocument.getElementsByTagName("label")).find((l) => attr(l, "for") === id)?.textContent ?? "")
    : "";
  return `${attr(input, "name")} ${attr(input, "aria-label")} ${attr(input, "placeholder")} ${attr(input, "data-field")} ${label}`;
}

function fieldInput(group: Element, test: (words: string) => boolean): string {
  for (const input of Array.from(group.querySelectorAll("input, select, textarea"))) {
    const words = inputKind(input);
    for (const word of words.split(/[\s[\]._-]+/)) if (word && test(word)) return valueOf(input);
    if (test(words.trim())) return valueOf(input);
  }
  return "";
}

/** People in inline sub-forms: each group holding a first-name and a last-name input. */
export function peopleFromSubforms(doc: Document, region: CountryCode | undefined): Person[] {
  const out: Person[] = [];
  const seen = new Set<Element>();
  for (const input of deepQueryAll(doc, "input").slice(0, 5000)) {
    const words = inputKind(input);
    if (!FIRST.test(words)) continue;
    let group: Element | null = input.parentElement;
    while (group && !Array.from(group.querySelectorAll("input")).some((i) => i !== input && LAST.test(inputKind(i)))) {
      group = group.parentElement;
    }
    if (!group || seen.has(group)) continue;
    seen.add(group);
    const first = valueOf(input);
    const last = fieldInput(group, (w) => LAST.test(w));
    const name = [first, last].filter(Boolean).join(" ");
    if (!name) continue;
    const kinds = (k: string) => (w: string) => classifyLabel(w) === k;
    out.push({
      name,
      title: fieldInput(group, kinds("title")),
      role: fieldInput(group, kinds("role")),
      phones: phonesOf(group, region),
      email: emailOf(group),
    });
  }
  return out;
}

const CARD = "[class*='contact' i], [class*='person' i], [class*='people' i], [class*='participant' i], [class*='stakeholder' i], [data-person]";

/** People on cards or list items: an element of contacts with a name and a phone or email. */
export function peopleFromCards(doc: Document, region: CountryCode | undefined): Person[] {
  const out: Person[] = [];
  for (const card of deepQueryAll(doc, CARD).slice(0, 2000)) {
    if (!/^(LI|DIV|ARTICLE|SECTION)$/.test(card.tagName)) continue;
    // The innermost card only: a list of cards is not a card.
    if (card.querySelector("table, ul, ol, [role='grid'], [role='list']")) continue;
    if (Array.from(card.querySelectorAll(CARD)).some((inner) => /^(LI|DIV|ARTICLE|SECTION)$/.test(inner.tagName))) continue;
    const nameEl = card.querySelector("[class*='name' i]:not([class*='company' i]), strong, h3, h4, h5, a:not([href^='tel' i]):not([href^='mailto' i])");
    const name = textOf(nameEl, 200);
    if (!name || /\d{3}/.test(name) || name.length > 80) continue;
    const phones = phonesOf(card, region);
    const email = emailOf(card);
    if (!phones.length && !email) continue;
    out.push({
      name,
      title: textOf(card.querySelector("[class*='title' i], [class*='position' i], [class*='job' i]"), 200),
      role: textOf(card.querySelector("[class*='role' i], [class*='badge' i], [class*='tag' i]"), 100),
      phones,
      email,
    });
  }
  return out;
}
