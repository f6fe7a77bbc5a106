// People in tables: a `<table>` or an ARIA grid (role=grid/treegrid/table with
// row/columnheader/gridcell) whose header has a Name column and a Role, Title or
// Position column — a Salesforce related list, a Dynamics subgrid, a Zoho related
// list, an intranet's team table — read as contacts, one per row.

import type { SnapshotContact } from "../../protocol";
import { attr, closestDeep, deepQueryAll, openShadow, parentDeep, phonesIn, textOf, walkElements, type Root } from "./dom";

export type ColumnKind = "name" | "role" | "title" | "phone" | "email";

// Header wordings, compared after `headerKey` (lower case, letters and digits only,
// single spaces). English first, then German, French, Spanish and Chinese, as CRMs
// translate them.
const WORDS: Record<ColumnKind, readonly string[]> = {
  name: [
    "name", "full name", "fullname", "contact", "contact name", "contact full name", "person", "person name",
    "participant", "participants", "stakeholder", "stakeholder name", "attendee", "member", "people",
    "vollständiger name", "kontakt", "kontaktname", "kontaktperson", "ansprechpartner", "teilnehmer",
    "nom", "nom complet", "nom du contact", "personne", "interlocuteur",
    "nombre", "nombre completo", "contacto", "nombre del contacto", "nombre de contacto", "persona", "participante",
    "姓名", "名称", "名字", "联系人", "联系人姓名", "联系人名称", "人员", "参与者",
  ],
  role: [
    "role", "roles", "contact role", "contact roles", "role in deal", "deal role", "buying role", "stakeholder role",
    "association label", "association labels", "connection role", "relationship", "role on deal",
    "opportunity role", "role in opportunity", "buying center role", "rolle in der verkaufschance", "rôle dans l opportunité", "rol en la oportunidad", "商机角色",
    "rolle", "kontaktrolle", "rolle im deal",
    "rôle", "rôle du contact", "rôles",
    "rol", "función", "funciones", "rol del contacto", "función del contacto",
    "角色", "联系人角色", "作用",
  ],
  title: [
    "title", "job title", "jobtitle", "position", "job position", "job", "designation", "job role",
    "titel", "berufsbezeichnung", "funktion", "stellenbezeichnung", "position im unternehmen",
    "titre", "fonction", "poste", "intitulé du poste", "titre du poste",
    "cargo", "puesto", "título", "puesto de trabajo",
    "职位", "职务", "头衔", "职称",
  ],
  phone: [
    "phone", "phones", "business phone", "mobile", "mobile phone", "telephone", "phone number", "work phone",
    "direct phone", "direct line", "tel", "main phone", "office phone",
    "telefon", "telefonnummer", "mobil", "mobiltelefon", "telefon geschäftlich", "handy",
    "téléphone", "tél", "portable", "téléphone professionnel", "numéro de téléphone",
    "teléfono", "móvil", "teléfono del trabajo", "celular",
    "电话", "手机", "电话号码", "移动电话", "办公电话",
  ],
  email: [
    "email", "e-mail", "email address", "e-mail address", "mail", "e-mail-adresse", "e-mail adresse",
    "courriel", "adresse e-mail", "adresse électronique", "correo", "correo electrónico",
    "邮箱", "电子邮件", "电子邮箱", "邮件",
  ],
};

const LOOKUP = new Map<string, ColumnKind>();
for (const kind of Object.keys(WORDS) as ColumnKind[]) {
  for (const word of WORDS[kind]) LOOKUP.set(headerKey(word), kind);
}

/** A header's wording reduced for comparison: lower case, letters and digits, single spaces. */
export function headerKey(text: string): string {
  return text
    .toLocaleLowerCase()
    .normalize("NFC")
    .replace(/\(.*?\)|\[.*?\]/g, " ")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Which kind of column a header names, or null. */
export function classifyHeader(text: string): ColumnKind | null {
  const key = headerKey(text);
  if (!key) return null;
  const hit = LOOKUP.get(key);
  if (hit) return hit;
  // "Sort by: Name", "Name Sorted Ascending": a known wording at either end.
  const noise = key.replace(/^(sort by|sorted by|sort|sortieren nach|trier par|ordenar por)\s+/, "");
  const trimmed = noise.replace(/\s+(sorted|sort)\s+(ascending|descending).*$/, "");
  return LOOKUP.get(trimmed) ?? null;
}

type RowContact = Partial<SnapshotContact> & { name: string };

interface Grid {
  /** The column kinds by column key (position, aria-colindex or col-id). */
  columns: Map<string, ColumnKind>;
  dataRows(): Generator<Element>;
  cells(row: Element): { key: string; cell: Element }[];
}

const GRID_ROLES = '[role="grid"], [role="treegrid"], [role="table"]';
const GRID_SELECTOR = `table, ${GRID_ROLES}`;

/** True when `columns` makes a table of people: a Name column and a Role, Title or Position one. */
function isContactsTable(columns: Map<string, ColumnKind>): boolean {
  const kinds = new Set(columns.values());
  return kinds.has("name") && (kinds.has("role") || kinds.has("title"));
}

/** True when a row of `columns` can say whose number is on it: a Name column and something about them. */
function isPeopleRowTable(columns: Map<string, ColumnKind>): boolean {
  const kinds = new Set(columns.values());
  return kinds.has("name") && kinds.size >= 2;
}

/** Contacts from every table of people under `root`, shadow trees included, in page order. */
export function contactsFromTables(root: Root, limit = 1000): RowContact[] {
  const out: RowContact[] = [];
  for (const el of deepQueryAll(root, GRID_SELECTOR)) {
    if (out.length >= limit) break;
    // A <table role="grid"> is read once, as a table; an ARIA grid made of a <table>'s parts too.
    if (el.tagName !== "TABLE" && el.querySelector("table") && !hasAriaRows(el)) continue;
    const grid = gridOf(el);
    if (!grid || !isContactsTable(grid.columns)) continue;
    for (const row of grid.dataRows()) {
      const contact = readRow(grid, row);
      if (contact) out.push(contact);
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** The person on the table row `element` is in, when that row is in a table of people. */
export function contactFromTableRow(element: Element): RowContact | null {
  const row = closestDeep(element, 'tr, [role="row"]');
  if (!row) return null;
  const table = row.tagName === "TR" ? closestDeep(row, "table") : closestDeep(parentDeep(row), GRID_SELECTOR);
  if (!table) return null;
  const grid = gridOf(table);
  if (!grid || !isPeopleRowTable(grid.columns)) return null;
  return readRow(grid, row);
}

function hasAriaRows(el: Element): boolean {
  return el.querySelector('[role="row"]') !== null || (openShadow(el)?.querySelector('[role="row"]') ?? null) !== null;
}

function gridOf(el: Element): Grid | null {
  if (el.tagName === "TABLE") return tableGrid(el);
  return ariaGrid(el);
}

// ---------------------------------------------------------------------------------
// <table>

function headerLabel(cell: Element): string {
  const aria = attr(cell, "aria-label");
  if (aria) return aria;
  const titled = cell.querySelector("[title]");
  const title = attr(titled, "title");
  if (title && classifyHeader(title)) return title;
  return textOf(cell, 200);
}

/** A table's own rows (in its head, bodies, foot or directly in it), not those of nested tables. */
function* tableRows(table: Element): Generator<Element> {
  for (let part = table.firstElementChild; part; part = part.nextElementSibling) {
    if (part.tagName === "TR") yield part;
    else if (part.tagName === "THEAD" || part.tagName === "TBODY" || part.tagName === "TFOOT") {
      for (let row = part.firstElementChild; row; row = row.nextElementSibling) if (row.tagName === "TR") yield row;
    }
  }
}

function rowCells(row: Element): Element[] {
  const out: Element[] = [];
  for (let cell = row.firstElementChild; cell; cell = cell.nextElementSibling) {
    if (cell.tagName === "TD" || cell.tagName === "TH") out.push(cell);
  }
  return out;
}

function span(cell: Element): number {
  return Math.min(1000, Math.max(1, Number(cell.getAttribute("colspan")) || 1));
}

function tableGrid(table: Element): Grid | null {
  let headerRow: Element | null = null;
  let seen = 0;
  for (const row of tableRows(table)) {
    const cells = rowCells(row);
    if (row.parentElement?.tagName === "THEAD" || (cells.length > 0 && cells.every((c) => c.tagName === "TH"))) {
      headerRow = row;
      if (row.parentElement?.tagName !== "THEAD" || !row.nextElementSibling) break;
    } else if (headerRow || ++seen >= 3) break;
  }
  if (!headerRow) return null;
  const columns = new Map<string, ColumnKind>();
  let position = 0;
  for (const cell of rowCells(headerRow)) {
    const kind = classifyHeader(headerLabel(cell));
    if (kind && ![...columns.values()].includes(kind)) columns.set(String(position), kind);
    position += span(cell);
  }
  const header = headerRow;
  return {
    columns,
    *dataRows() {
      for (const row of tableRows(table)) {
        if (row === header || row.parentElement?.tagName === "THEAD") continue;
        yield row;
      }
    },
    cells(row: Element) {
      const out: { key: string; cell: Element }[] = [];
      let at = 0;
      for (const cell of rowCells(row)) {
        out.push({ key: String(at), cell });
        at += span(cell);
      }
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------
// ARIA grids

const CELL_ROLES = new Set(["columnheader", "gridcell", "cell", "rowheader"]);

function ariaRows(grid: Element): Element[] {
  const rows: Element[] = [];
  for (const el of walkElements(grid)) {
    if (el === grid || el.getAttribute("role") !== "row") continue;
    if (closestDeep(parentDeep(el), GRID_SELECTOR) === grid) rows.push(el);
  }
  return rows;
}

function ariaCells(row: Element): { key: string; cell: Element }[] {
  const out: { key: string; cell: Element }[] = [];
  let position = 0;
  for (const el of walkElements(row)) {
    if (el === row || !CELL_ROLES.has(el.getAttribute("role") ?? "")) continue;
    if (closestDeep(parentDeep(el), '[role="row"]') !== row) continue;
    const colId = attr(el, "col-id");
    const index = attr(el, "aria-colindex");
    out.push({ key: colId ? `col:${colId}` : index ? `idx:${index}` : String(position), cell: el });
    position++;
  }
  return out;
}

function ariaGrid(grid: Element): Grid | null {
  const rows = ariaRows(grid);
  if (!rows.length) return null;
  const header = rows.find((r) => ariaCells(r).some(({ cell }) => cell.getAttribute("role") === "columnheader"));
  if (!header) return null;
  const columns = new Map<string, ColumnKind>();
  for (const { key, cell } of ariaCells(header)) {
    const kind = classifyHeader(headerLabel(cell));
    if (kind && ![...columns.values()].includes(kind)) columns.set(key, kind);
  }
  return {
    columns,
    *dataRows() {
      for (const row of rows) if (row !== header) yield row;
    },
    cells: ariaCells,
  };
}

// ---------------------------------------------------------------------------------

function cellName(cell: Element): string {
  for (const el of walkElements(cell)) {
    if (el.tagName === "A") {
      const text = textOf(el, 400);
      if (text) return text;
    }
  }
  return textOf(cell, 400);
}

function readRow(grid: Grid, row: Element): RowContact | null {
  const contact: RowContact = { name: "" };
  const phones: string[] = [];
  for (const { key, cell } of grid.cells(row)) {
    const kind = grid.columns.get(key);
    if (!kind) continue;
    if (kind === "name") contact.name = cellName(cell);
    else if (kind === "role") contact.role = textOf(cell, 400);
    else if (kind === "title") contact.title = textOf(cell, 400);
    else if (kind === "email") {
      const mail = cell.querySelector('a[href^="mailto:" i]');
      contact.email = mail ? attr(mail, "href") : textOf(cell, 400);
    } else if (kind === "phone") {
      const linked = phonesIn(cell);
      if (linked.length) phones.push(...linked);
      else {
        const text = textOf(cell, 200);
        if (text) phones.push(text);
      }
    }
  }
  if (!contact.name) return null;
  for (const phone of phonesIn(row)) if (!phones.includes(phone)) phones.push(phone);
  if (phones.length) contact.phones = phones;
  return contact;
}
