// The deal's own fields as the page shows them: its name (a name field or the record's
// heading, never the window's or the app's title) and, where shown, stage, amount and
// currency, close date, owner, account and the account's main line, read from label/value layouts (label+input,
// dt/dd, th/td rows, "Label: value" blocks) in English, German, French, Spanish and Chinese.

import type { PageDeal } from "../../protocol";
import { attr, deepQueryAll, textOf, valueOf, walkElements, type Root } from "../adapters/dom";

export type FieldKind = keyof PageDeal | "name" | "contact" | "role" | "title" | "phone" | "email" | "currency_code";

const WORDS: Record<FieldKind, readonly string[]> = {
  name: ["opportunity name", "deal name", "potential name", "name", "deal", "opportunity", "title", "subject",
    "verkaufschance", "name der verkaufschance", "dealname", "nom de l opportunité", "nom de l affaire", "nombre de la oportunidad",
    "nombre del negocio", "商机名称", "机会名称", "交易名称"],
  stage: ["stage", "sales stage", "deal stage", "pipeline stage", "phase", "status", "verkaufsphase", "phase", "stufe",
    "étape", "étape de vente", "phase de vente", "etapa", "etapa de venta", "fase", "阶段", "销售阶段", "商机阶段"],
  amount: ["amount", "deal value", "value", "opportunity amount", "expected revenue", "deal amount", "revenue", "opportunity value",
    "betrag", "wert", "volumen", "erwarteter umsatz", "montant", "valeur", "montant de l opportunité",
    "importe", "monto", "valor", "ingresos esperados", "金额", "商机金额", "交易金额", "预计收入"],
  currency: [],
  currency_code: ["currency", "währung", "devise", "moneda", "币种", "货币"],
  close_date: ["close date", "expected close date", "closing date", "expected closing", "close", "closed on", "expected close", "expected closing date", "forecast close date", "expected close date", "estimated close date",
    "abschlussdatum", "erwartetes abschlussdatum", "date de clôture", "date de clôture prévue", "clôture prévue",
    "fecha de cierre", "fecha de cierre prevista", "结束日期", "预计成交日期", "预计结束日期", "成交日期"],
  owner: ["owner", "deal owner", "opportunity owner", "assigned to", "assigned user", "responsible", "user responsible", "opportunity owner", "salesperson", "sales rep",
    "account manager", "verantwortlich", "besitzer", "zuständig", "inhaber", "propriétaire", "responsable", "attribué à",
    "propietario", "asignado a", "vendedor", "负责人", "所有者", "销售负责人"],
  account: ["account", "account name", "organization", "organisation", "company", "customer", "client",
    "firma", "unternehmen", "konto", "kunde", "organisation", "compte", "société", "entreprise",
    "cuenta", "empresa", "cliente", "organización", "客户", "公司", "客户名称"],
  account_phone: ["account phone", "company phone", "main phone", "main line", "switchboard", "office main",
    "firmentelefon", "zentrale", "telefon zentrale", "téléphone société", "téléphone entreprise", "téléphone standard",
    "teléfono de la empresa", "centralita", "公司电话", "总机", "客户电话"],
  contact: ["contact", "contact person", "contact name", "person", "primary contact", "ansprechpartner", "kontakt", "kontaktperson",
    "interlocuteur", "personne", "contacto", "persona de contacto", "联系人", "主要联系人", "participant", "teilnehmer"],
  role: ["role", "contact role", "buying role", "rolle", "rôle", "rol", "función", "角色"],
  title: ["title", "job title", "position", "titel", "position", "funktion", "fonction", "poste", "cargo", "puesto", "职位", "职务"],
  phone: ["phone", "mobile", "telephone", "tel", "office phone", "telefon", "mobil", "téléphone", "portable", "teléfono", "móvil", "电话", "手机"],
  email: ["email", "e mail", "mail", "courriel", "correo", "correo electrónico", "邮箱", "电子邮件"],
};

/** A label's wording reduced for comparison. */
export function labelKey(text: string): string {
  return text
    .toLocaleLowerCase()
    .normalize("NFC")
    .replace(/[*:：]+\s*$/u, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const LOOKUP = new Map<string, FieldKind>();
for (const kind of Object.keys(WORDS) as FieldKind[]) {
  for (const word of WORDS[kind]) if (!LOOKUP.has(labelKey(word))) LOOKUP.set(labelKey(word), kind);
}

export function classifyLabel(text: string): FieldKind | null {
  if (text.length > 60) return null;
  return LOOKUP.get(labelKey(text)) ?? null;
}

export interface LabelledValue {
  kind: FieldKind;
  label: Element;
  value: string;
  /** The element holding the value (an input, a dd, a td, a span). */
  valueEl: Element;
}

const LABELS = "label, dt, th, [class*='label' i], [class*='block-title' i], [class*='field-title' i], [class*='field-name' i], [class*='fieldname' i], [data-label]";

function valueBeside(label: Element): Element | null {
  if (label.tagName === "LABEL") {
    const id = attr(label, "for");
    const target = id ? label.ownerDocument.getElementById(id) : label.querySelector("input, select, textarea");
    if (target) return target;
  }
  if (label.tagName === "TH") {
    const next = label.nextElementSibling;
    return next && next.tagName === "TD" ? next : null;
  }
  let next = label.nextElementSibling;
  while (next && !textOf(next, 10) && !next.matches("input, select, textarea")) next = next.nextElementSibling;
  if (next) return next;
  return null;
}

/** Every label/value pair under `root` whose label names a field we read. */
export function labelledValues(root: Root): LabelledValue[] {
  const out: LabelledValue[] = [];
  for (const label of deepQueryAll(root, LABELS)) {
    if (out.length >= 2000) break;
    if (label.tagName === "TH" && label.parentElement?.parentElement?.tagName === "THEAD") continue;
    const ownText = label.tagName === "LABEL" || label.tagName === "DT" || label.tagName === "TH"
      ? textOf(label, 80)
      : attr(label, "data-label") || textOf(label, 80);
    const kind = classifyLabel(ownText);
    if (!kind) continue;
    const valueEl = valueBeside(label);
    if (!valueEl) continue;
    const value = valueOf(valueEl) || textOf(valueEl, 400);
    if (value) out.push({ kind, label, value, valueEl });
  }
  // "Stage: Negotiation" written in one text block.
  for (const el of walkElements(root)) {
    if (out.length >= 2000) break;
    if (el.children.length > 2 || !/^(P|LI|DIV|SPAN)$/.test(el.tagName)) continue;
    // One line of text: only inline elements inside.
    if (Array.from(el.children).some((c) => !/^(A|SPAN|STRONG|B|EM|I|LABEL|TIME)$/.test(c.tagName))) continue;
    const text = textOf(el, 300);
    const m = /^([^:：]{2,40})[:：]\s*(.+)$/u.exec(text);
    if (!m) continue;
    const kind = classifyLabel(m[1] ?? "");
    if (!kind || out.some((v) => v.valueEl === el || el.contains(v.label))) continue;
    out.push({ kind, label: el, value: (m[2] ?? "").trim(), valueEl: el });
  }
  return out;
}

const NAME_FIELDS = [
  "input[name='name']", "input[name='potentialname']", "input[name='opportunity_name']", "input[name='deal_name']",
  "input[data-fieldname='opportunity_name']", "[data-fieldname='title'] input", "[field='name']", "[data-name='name'] .field-value",
  "[data-name='name'] input", "[data-field='name']", ".record-name", "[data-record-name]", "[class*='record-title' i]",
  "[class*='recordName' i]", "[class*='deal-title' i]", "[class*='deal-name' i]", ".header-title .title",
  "[class*='header-title' i]", ".recordLabel", ".module-title-text", ".page-title", ".title-text",
  "#pagetitle", ".pagetitle-item", ".header-name", "[class*='record-header' i] [class*='name' i]",
];

/** The app's own frame: navigation, banner, sidebars, footer. */
export const CHROME = "nav, header[role='banner'], [role='navigation'], [role='banner'], aside, footer";

/** The record's name: its name field, else the record's heading; never the window title. */
export function recordName(doc: Document): string {
  // One walk of the page; then the selectors in their order of preference.
  const hits = deepQueryAll(doc, `${NAME_FIELDS.join(", ")}, h1, h2`);
  for (const selector of NAME_FIELDS) {
    for (const el of hits) {
      if (!el.matches(selector)) continue;
      const value = attr(el, "data-record-name") || valueOf(el) || textOf(el, 400);
      if (value) return value;
    }
  }
  for (const tag of ["H1", "H2"]) {
    for (const el of hits) {
      if (el.tagName !== tag || el.closest(CHROME)) continue;
      const text = textOf(el, 400);
      if (text && text !== (doc.title ?? "").trim()) return text;
    }
  }
  return "";
}

const SYMBOLS: [RegExp, string][] = [
  [/€/, "EUR"], [/£/, "GBP"], [/₹/, "INR"], [/CHF/, "CHF"], [/US\$|\$/, "USD"], [/[¥￥元]/, "CNY"],
];

/** The ISO code an amount is written in, when the text says. */
export function currencyOf(amount: string, lang: string): string {
  const code = /\b([A-Z]{3})\b/.exec(amount);
  if (code && code[1] !== "USD") return code[1] ?? "";
  if (code) return "USD";
  for (const [re, iso] of SYMBOLS) {
    if (!re.test(amount)) continue;
    if (iso === "CNY" && /^ja/i.test(lang)) return "JPY";
    return iso;
  }
  return "";
}

/** The deal's fields shown on the page (first value per field, in page order). */
export function dealFields(values: LabelledValue[], lang: string): PageDeal {
  const out: PageDeal = {};
  for (const v of values) {
    if (v.kind === "stage" && !out.stage) out.stage = v.value;
    else if (v.kind === "amount" && !out.amount && /\d/.test(v.value)) out.amount = v.value;
    else if (v.kind === "close_date" && !out.close_date) out.close_date = v.value;
    else if (v.kind === "owner" && !out.owner) out.owner = v.value;
    else if (v.kind === "account" && !out.account) out.account = v.value;
    else if (v.kind === "account_phone" && !out.account_phone && /\d{3}/.test(v.value)) out.account_phone = v.value;
    else if (v.kind === "currency_code" && !out.currency && /^[A-Z]{3}\b/.test(v.value)) out.currency = v.value.slice(0, 3);
  }
  if (out.amount && !out.currency) {
    const currency = currencyOf(out.amount, lang);
    if (currency) out.currency = currency;
  }
  return out;
}
