/**
 * Rejection rules applied to each match libphonenumber finds in page text.
 *
 * Validity alone still accepts many digit strings that are not phone numbers
 * (every 10-digit run with a real US area code is "valid"), so each match is
 * checked against its surroundings. A match is rejected when:
 *
 *  1. it has fewer than 6 digits before any extension (only numbers of a few
 *     micro-states are that short; ids, years and postcodes are not);
 *  2. it is written without the national prefix that its country requires in
 *     national format ("123 456 789" is not a French number, "01 23 45 67 89"
 *     is) -- the check Google's libphonenumber applies at its VALID leniency
 *     and the JavaScript port leaves out;
 *  3. it is glued to a word: preceded by a Latin, Greek or Cyrillic letter, a
 *     digit, "_", "#", "@", "&", "=" or "\", or by "-" or "/" that follows a
 *     letter or digit ("INV-2024-000123", "ACC_4155550132", ".../4155550132"),
 *     or followed by such a letter, digit, "_" or "@", or by "-" or "/" plus
 *     a letter or digit ("415-555-0132-XL"). CJK text, where numbers touch the
 *     words around them, is not affected;
 *  4. it is part of a larger number: "." or ":" with a digit on the far side,
 *     or "," with a digit on the far side that is not the start or end of
 *     another kept number (amounts "1.234.567,89", coordinates, times
 *     "2024 12:30"; but "415-555-0178,415-555-0179" is two numbers);
 *  5. it is an amount, percentage or measure: a currency sign or code right
 *     before or after it, or "%", "‰", "°" right after;
 *  6. it does not start with "+" and comes right after a word that names
 *     another kind of number: ISBN, SKU, IBAN, VAT, SSN, order, invoice,
 *     ticket, ref, id (not "caller id"), serial, version, tracking, timestamp,
 *     Rechnung, facture, P.IVA, CNPJ...;
 *  7. it does not start with "+" and has the shape of something else: a date
 *     (2024-05-01, 01.05.2024, 5/1/24, 20240501, a year followed by "-" or
 *     "/", "(2003)", or day/month pairs with "/"), an IPv4 address, a version
 *     ("77.3.55507"), more than one "/", a payment-card grouping (4-4-4-4,
 *     4-6-5), a US social security number (3-2-4 with hyphens), a ZIP+4 code,
 *     a lone decimal number ("37.7749", "12500.00"), or thousands grouping
 *     with "," "'" or "." ("1,234,567", "12.345.678");
 *  8. it holds a digit libphonenumber does not read (e.g. Devanagari), which
 *     it would silently drop, dialling something other than what is shown;
 *  9. it is shown right-to-left: it lies inside a right-to-left embedding,
 *     override or isolate (U+202B, U+202E, U+2067) or holds a bidi control
 *     character, so its digits may appear on screen in another order than
 *     the one that would be dialled. Only the text itself is seen here:
 *     right-to-left display set by CSS or by an earlier text node is not.
 *
 * acceptMatch applies rules 1 to 8 to one match; text-search.ts applies the
 * comma part of rule 4 (it needs the neighbouring matches) and rule 9 (it
 * needs the original text).
 */

import type { PhoneNumber } from "libphonenumber-js/max";
import { DATE_DMY, DATE_SHORT, DATE_YMD, WORD_LETTER } from "./patterns";
import { asciiDigits, foldAscii } from "./display-text";

const MIN_DIGITS = 6;

const WORD_LETTER_RE = new RegExp(`[${WORD_LETTER}]`, "u");
const ND_RE = /\p{Nd}/u;
const GLUE_BEFORE = new Set(["_", "#", "@", "&", "=", "\\"]);
const GLUE_AFTER = new Set(["_", "@"]);
const NUMBER_SEPARATORS = new Set([".", ":"]);
const WORD_JOINERS = new Set(["-", "/"]);

const CURRENCY_CODES =
  "usd|eur|gbp|jpy|cny|rmb|rub|inr|brl|chf|sek|nok|dkk|pln|czk|huf|aud|cad|nzd|mxn|zar|try|aed|sgd|hkd|krw|" +
  "ils|sar|twd|thb|idr|php|myr|vnd|ars|clp|cop";
const CURRENCY_BEFORE_RE = new RegExp(`(?:\\p{Sc}|(?:^|[^\\p{L}])(?:${CURRENCY_CODES}|rs|kr|r\\$))\\.?\\s?$`, "iu");
const CURRENCY_AFTER_RE = new RegExp(
  `^\\s?(?:[\\p{Sc}%‰°′″元円圓万億원]` +
    `|(?:${CURRENCY_CODES}|руб|р\\.|kr|zł|kč|ft|lei|лв|rs|dollars?|euros?)(?![\\p{L}]))`,
  "iu",
);

/** Words (any case) that name another kind of number when right before one. */
const OTHER_NUMBER_WORDS = [
  "isbn(?:-?1[03])?",
  "issn",
  "isin",
  "gtin",
  "asin",
  "sku",
  "iban",
  "swift",
  "ust-?id(?:nr)?",
  "siret",
  "siren",
  "pmid",
  "arxiv",
  "order",
  "invoice",
  "ticket",
  "case",
  "ref",
  "reference",
  "serial",
  "s/n",
  "batch",
  "part",
  "model",
  "tracking",
  "version",
  "build",
  "release",
  "patent",
  "(?<!caller[\\s-])id",
  "uid",
  "acct",
  "account\\s*(?:no\\.?|nr\\.?|num(?:ber)?|#)",
  "routing",
  "regon",
  "pesel",
  "org\\.?\\s?nr",
  "organisationsnummer",
  "personnummer",
  "p\\.?\\s?iva",
  "partita\\s?iva",
  "codice\\s?fiscale",
  "cnpj",
  "aadhaar",
  "gstin",
  "timestamp",
  "epoch",
  "ordre",
  "bestilling",
  "bestelling",
  "faktura",
  "factuur",
  "fatura",
  "zam[oó]wieni[ea]",
  "tax(?:\\s?id)?",
  "steuer(?:nummer|-?nr|-?id)?",
  "st\\.?-?nr",
  "rechnung(?:snummer|s-?nr)?",
  "bestell(?:ung|nummer|-?nr)",
  "auftrag(?:snummer|s-?nr)?",
  "kunden(?:nummer|-?nr)",
  "kd\\.?-?nr",
  "art(?:ikel)?\\.?-?nr",
  "facture",
  "commande",
  "factura",
  "pedido",
  "fattura",
  "ordine",
];
/** The same for abbreviations that are also everyday words in some language ("ein", "tin", "po"): capitals only. */
const OTHER_NUMBER_ABBREVIATIONS = [
  "EAN",
  "UPC",
  "BIC",
  "VAT",
  "SSN",
  "EIN",
  "TIN",
  "DOI",
  "INV",
  "LOT",
  "P\\.?O\\.?",
  "VER",
  "REV",
  "DUNS",
  "NPI",
  "NIP",
  "KRS",
  "CVR",
  "C\\.?F\\.?",
  "TVA",
  "NIF",
  "CIF",
  "CPF",
  "PAN",
];
/** Between the word and the number: "no.", "#", ":", a country code ("VAT GB"), a check group. */
const OTHER_NUMBER_TAIL =
  "\\.?\\s*(?:[Nn][Oo]\\.?|[Nn][Rr]\\.?|[Nn]\\.|[Nn][Uu][Mm](?:[Bb][Ee][Rr])?\\.?|#|[Nn][°º])?" +
  "\\s*[:#.]?(?:\\s*[A-Z]{2})?(?:\\s*\\d{1,3})?\\s*$";
const OTHER_NUMBER_BEFORE_RE = new RegExp(
  `(?:^|[^\\p{L}\\p{N}])(?:${OTHER_NUMBER_WORDS.join("|")})${OTHER_NUMBER_TAIL}`,
  "iu",
);
const OTHER_NUMBER_ABBREVIATION_BEFORE_RE = new RegExp(
  `(?:^|[^\\p{L}\\p{N}])(?:${OTHER_NUMBER_ABBREVIATIONS.join("|")})${OTHER_NUMBER_TAIL}`,
  "u",
);

const SHAPE_DATE_YMD_RE = new RegExp(`^[(\\[]?${DATE_YMD}`);
const SHAPE_DATE_DMY_RE = new RegExp(`^[(\\[]?${DATE_DMY}`);
const SHAPE_DATE_SHORT_RE = new RegExp(`^${DATE_SHORT}(?:\\s|$)`);
const SHAPE_DATE_COMPACT_RE = /^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[\sT]|$)/;
const SHAPE_YEAR_FIRST_RE = /^(?:19|20)\d\d[\-/]/;
const SHAPE_IPV4_RE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const SHAPE_CARD_RE = /^(?:\d{4}([ \-])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ \-])\d{6}\2\d{4,5})$/;
const SHAPE_SSN_RE = /^\d{3}-\d{2}-\d{4}$/;
const SHAPE_ZIP4_RE = /^[1-9]\d{4}-\d{4}$/;
const SHAPE_DECIMAL_RE = /^(?:[1-9]\d{0,2}|0)[.,]\d+$|^\d+\.\d{1,2}$/;
const SHAPE_VERSION_RE = /^[1-9]\d*(?:\.\d+)*\.\d\.\d+(?:\.\d+)*$/;
const SHAPE_YEAR_IN_PARENS_RE = /^\((?:19|20)\d\d\)/;
const SHAPE_SHORT_SLASH_PAIR_RE = /(?:^|[^\d])\d{1,2}\/\d{1,2}(?!\d)/;
const SHAPE_SLASHES_RE = /\/.*\//;
const SHAPE_THOUSANDS_RE = /^[1-9]\d{0,2}(?:(?:,\d{3})+|(?:['\u2019]\d{3})+)$|^[1-9]\d?(?:\.\d{3}){2,}$/;

/** Digits libphonenumber cannot read: it would drop them. */
const FOREIGN_DIGIT_RE = /(?![0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9])\p{Nd}/u;
/** Only a text with a character outside ASCII can hold such digits (a much smaller pattern to run first). */
const NON_ASCII_RE = /[^\0-\x7F]/;

const keepExtensionOut = (formatted: string): string => formatted;

/** Rules 3 and 4 before the match (commas: see commaBefore). */
function isGluedBefore(text: string, start: number): boolean {
  if (start === 0) return false;
  const prev = text[start - 1] as string;
  if (GLUE_BEFORE.has(prev) || ND_RE.test(prev) || WORD_LETTER_RE.test(prev)) return true;
  if (start < 2) return false;
  const prev2 = text[start - 2] as string;
  if (WORD_JOINERS.has(prev) && (ND_RE.test(prev2) || WORD_LETTER_RE.test(prev2))) return true;
  return NUMBER_SEPARATORS.has(prev) && ND_RE.test(prev2);
}

/** Rules 3 and 4 after the match (commas: see commaAfter). */
function isGluedAfter(text: string, end: number): boolean {
  if (end >= text.length) return false;
  const next = text[end] as string;
  if (GLUE_AFTER.has(next) || ND_RE.test(next) || WORD_LETTER_RE.test(next)) return true;
  if (end + 1 >= text.length) return false;
  const next2 = text[end + 1] as string;
  if (WORD_JOINERS.has(next) && (ND_RE.test(next2) || WORD_LETTER_RE.test(next2))) return true;
  return NUMBER_SEPARATORS.has(next) && ND_RE.test(next2);
}

/** Whether a comma joins the match to a digit before it or after it. */
export function commaBefore(text: string, start: number): boolean {
  return start >= 2 && text[start - 1] === "," && ND_RE.test(text[start - 2] as string);
}

export function commaAfter(text: string, end: number): boolean {
  return end + 1 < text.length && text[end] === "," && ND_RE.test(text[end + 1] as string);
}

function hasOtherShape(matched: string): boolean {
  const s = foldAscii(matched);
  if (s.startsWith("+")) return false;
  return (
    SHAPE_DATE_YMD_RE.test(s) ||
    SHAPE_DATE_DMY_RE.test(s) ||
    SHAPE_DATE_SHORT_RE.test(s) ||
    SHAPE_DATE_COMPACT_RE.test(s) ||
    SHAPE_YEAR_FIRST_RE.test(s) ||
    SHAPE_IPV4_RE.test(s) ||
    SHAPE_CARD_RE.test(s) ||
    SHAPE_SSN_RE.test(s) ||
    SHAPE_ZIP4_RE.test(s) ||
    SHAPE_DECIMAL_RE.test(s) ||
    SHAPE_VERSION_RE.test(s) ||
    SHAPE_THOUSANDS_RE.test(s) ||
    SHAPE_YEAR_IN_PARENS_RE.test(s) ||
    SHAPE_SHORT_SLASH_PAIR_RE.test(s) ||
    SHAPE_SLASHES_RE.test(s)
  );
}

/** Rule 1 and rule 2: enough digits, and the national prefix where it is required. */
function hasSoundDigits(matched: string, number: PhoneNumber): boolean {
  const all = asciiDigits(matched);
  const ext = number.ext ?? "";
  const main = ext && all.endsWith(ext) ? all.slice(0, all.length - ext.length) : all;
  if (main.length < MIN_DIGITS) return false;
  const nsn = number.nationalNumber as string;
  if (main.length > nsn.length) return true; // national prefix, or country code
  return !nationalPrefixRequired(number);
}

/**
 * Whether the national format of `number` must carry the national prefix.
 * Formatting costs about as much as validating, so answers are kept per
 * country, length and first five digits: formats are chosen by leading
 * digits, and no two valid numbers sharing those disagreed in a check of
 * 80,000 random valid numbers over all countries (none did with four).
 */
const prefixRequired = new Map<string, boolean>();

function nationalPrefixRequired(number: PhoneNumber): boolean {
  const nsn = number.nationalNumber as string;
  const key = `${number.countryCallingCode}:${number.country ?? ""}:${nsn.length}:${nsn.slice(0, 5)}`;
  let required = prefixRequired.get(key);
  if (required === undefined) {
    const national = asciiDigits(number.formatNational({ nationalPrefix: false, formatExtension: keepExtensionOut }));
    required = national.length > nsn.length;
    if (prefixRequired.size >= 10_000) prefixRequired.clear();
    prefixRequired.set(key, required);
  }
  return required;
}

/** Rules 1 to 8 for one match of the displayed text, apart from commas. */
export function acceptMatch(text: string, start: number, end: number, number: PhoneNumber): boolean {
  const matched = text.slice(start, end);
  if (NON_ASCII_RE.test(matched) && FOREIGN_DIGIT_RE.test(matched)) return false;
  if (isGluedBefore(text, start) || isGluedAfter(text, end)) return false;
  // The patterns of rules 5 and 6 each need a letter or a sign beside the number: a
  // match with only spaces around it (a cell holding one number, the common case) skips
  // them. Their Unicode classes compile to tens of KiB of machine code each, kept by the
  // page for as long as it is open once they have run a few times.
  const before = text.slice(Math.max(0, start - 40), start);
  if (before.trim() !== "") {
    if (CURRENCY_BEFORE_RE.test(before)) return false;
    const namedOther = OTHER_NUMBER_BEFORE_RE.test(before) || OTHER_NUMBER_ABBREVIATION_BEFORE_RE.test(before);
    if (namedOther && !matched.startsWith("+")) return false;
  }
  const after = text.slice(end, end + 12);
  if (after.trim() !== "" && CURRENCY_AFTER_RE.test(after)) return false;
  if (hasOtherShape(matched)) return false;
  return hasSoundDigits(matched, number);
}

