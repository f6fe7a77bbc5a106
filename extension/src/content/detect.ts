/**
 * Phone-number detection for page text: which text nodes may hold a number,
 * where the numbers are, and what a tel:/sip: link or a selected string dials.
 *
 * Parsing and validation come from libphonenumber-js with the "max" metadata,
 * which checks a number against its country's full number-range patterns;
 * "min" checks only the length. Measured on the test corpus (308 numbers,
 * 196 look-alikes such as dates, amounts and ids): libphonenumber alone finds
 * a false number in 33 look-alikes with "max" and 45 with "min" when each is
 * scanned with its own region (220 vs 375 scans over 12 regions); with the
 * rules below, "max" finds none either way, "min" 1 and 14 ("1.234.567" or
 * "10115" pass as German numbers on length alone). Both find all 308 numbers.
 * "max" costs about 75 KB more in the minified bundle (230 KB vs 156 KB for
 * this module) and about a quarter more time per searched text, which
 * matters little since few texts reach the parser (see mayHoldNumber).
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
 * Invisible characters (zero-width space, joiners, soft hyphen, word joiner,
 * BOM, bidi marks) are dropped before searching, so the search sees the
 * number as it is displayed: "+1 415 555 0132\u200B9" shows as 01329 and is
 * not a number, "415\u200B555\u200B0132" shows as 4155550132 and is (more
 * than two in a row inside a number is taken as obfuscation: not found).
 * Typographic spaces (thin, narrow no-break...) count as plain spaces; tabs
 * and line breaks end a number. A lone comma also ends one: libphonenumber
 * would otherwise read "415-555-0178, 415" as a number with an extension
 * dialled after a pause. Offsets returned are into the original text.
 *
 * Work per text is bounded, so that a hostile or huge text node (a megabyte
 * of digit groups) costs milliseconds, not seconds: the search gives up after
 * 300 failed candidates and stops after 500 numbers. Results for short texts
 * are remembered, since pages re-render the same rows and get scanned again.
 *
 * Numbers written with an international prefix other than "+" ("00 49 ...",
 * "011 49 ...") need a region that uses that prefix; without a region only
 * "+" numbers are found.
 */

import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  searchPhoneNumbersInText,
  type CountryCode,
  type NumberFound,
  type PhoneNumber,
} from "libphonenumber-js/max";

export interface FoundNumber {
  /** [start, end) UTF-16 offsets into the searched text. */
  start: number;
  end: number;
  e164: string;
}

export interface Dialable {
  /** E.164 number ("+14155550132") or a sip:/sips: URI. */
  target: string;
  e164: string | null;
  /** Human form: "+1 415 555 0132", or the URI. */
  display: string;
}

// ---------------------------------------------------------------------------
// Character classes shared by the cheap test and the full search.

/** Digits libphonenumber reads: ASCII, full-width, Arabic-Indic, Eastern Arabic-Indic. */
const DIGIT = "0-9\\uFF10-\\uFF19\\u0660-\\u0669\\u06F0-\\u06F9";
/** Punctuation libphonenumber allows between digit groups, and typographic spaces (read as spaces). */
const PUNCT =
  "\\-\\u2010-\\u2015\\u2212\\u30FC\\uFF0D\\uFF0F/\\uFF0E. \\u00A0\\u3000" +
  "()\\uFF08\\uFF09\\uFF3B\\uFF3D\\[\\]~\\u2053\\u223C\\uFF5E" +
  "\\u2000-\\u200A\\u202F\\u205F";
/** Characters that take no room on screen; dropped before searching. */
const INVISIBLE = "\\u00AD\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF";
/** Letters of the scripts where a number glued to a word is not a phone number. */
const WORD_LETTER = "\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}";

const INVISIBLE_RE = new RegExp(`[${INVISIBLE}]`);
const INVISIBLE_ALL_RE = new RegExp(`[${INVISIBLE}]`, "g");
const ODD_SPACE_RE = /[\u2000-\u200A\u202F\u205F]/g;
const ODD_SPACE_TEST_RE = /[\u2000-\u200A\u202F\u205F]/;

/**
 * Between two digits of one number: up to four punctuation characters (as
 * libphonenumber allows), and a few invisible characters. More invisibles
 * than that inside a number is obfuscation; bounding them keeps the test
 * linear on hostile text.
 */
const GAP = `(?:[${INVISIBLE}]{0,2}[${PUNCT}]){0,4}[${INVISIBLE}]{0,2}`;
const D = `[${DIGIT}]`;

/**
 * Text positions where a number cannot start; mirrors the "glued to a word",
 * "part of a larger number" and currency rules applied to every match, so the
 * cheap test does not rule out a number the full search would keep.
 */
const NOT_A_START =
  `(?<!` +
  [
    `[_#@&=\\\\\\p{Nd}${WORD_LETTER}]`,
    `[\\p{Nd}${WORD_LETTER}][\\-/]`,
    `\\p{Nd}[.,:]`,
    `\\p{Sc}\\s?`,
  ].join("|") +
  `)`;

/** Dates (year first, or day and month first with a four-digit year). */
const DATE_YMD = "(?:19|20)\\d\\d(?<ymd>[\\-./])(?:0?[1-9]|1[0-2])\\k<ymd>(?:0?[1-9]|[12]\\d|3[01])(?!\\d)";
const DATE_DMY = "\\d{1,2}(?<dmy>[\\-./])\\d{1,2}\\k<dmy>(?:19|20)\\d\\d(?!\\d)";
/** Dates with a two-digit year: day and month, or month and day, must be real. */
const DATE_SHORT =
  "(?:(?:0?[1-9]|[12]\\d|3[01])(?<dm>[\\-./])(?:0?[1-9]|1[0-2])\\k<dm>" +
  "|(?:0?[1-9]|1[0-2])(?<md>[\\-./])(?:0?[1-9]|[12]\\d|3[01])\\k<md>)\\d\\d";

/** Where a chain of digit groups ends. */
const CHAIN_END = `(?!${GAP}${D})`;

/**
 * Starts the full search rejects whatever the match (the date, amount, number
 * and address shapes of rules 4, 5 and 7, and times after a year as in
 * "1 May 2024 12:30"), so the cheap test skips them: a CRM table is mostly
 * dates and amounts.
 */
const NOT_HERE =
  `(?!` +
  [
    DATE_YMD,
    DATE_DMY,
    `${DATE_SHORT}(?:\\s|(?![${DIGIT}${PUNCT}${INVISIBLE}]))`,
    `(?:19|20)\\d\\d\\s\\d{1,2}:\\d`,
    `\\d{1,3}(?:[. \\u00A0\\u202F]\\d{3})+(?:,\\d|\\s?\\p{Sc})`,
    `[1-9]\\d?(?:\\.\\d{3}){2,}${CHAIN_END}`,
    `\\d+\\.\\d{1,2}${CHAIN_END}`,
    `(?:[1-9]\\d{0,2}|0)\\.\\d+${CHAIN_END}`,
    `\\d{1,3}(?:\\.\\d{1,3}){3}${CHAIN_END}`,
    `\\d{4}(?<card>[ \\-])\\d{4}\\k<card>\\d{4}\\k<card>\\d{1,7}${CHAIN_END}`,
  ].join("|") +
  `)`;

/**
 * The cheap test: six digits chained by phone punctuation, starting where a
 * number may start. Numbers the search keeps always have six digits so
 * chained (rule 1).
 */
const MAY_HOLD_RE = new RegExp(`${D}(?<=${NOT_A_START}${NOT_HERE}${D})(?:${GAP}${D}){5}`, "u");

/** Most texts have no digit at all. */
const ANY_DIGIT_RE = new RegExp(`[${DIGIT}]`);

/**
 * Cheap test (one precompiled regex) that `text` may hold a phone number.
 * False means findNumbersInText finds none: it applies this test first.
 */
export function mayHoldNumber(text: string): boolean {
  if (text.length < 6 || !ANY_DIGIT_RE.test(text)) return false;
  return MAY_HOLD_RE.test(text);
}

// ---------------------------------------------------------------------------
// The text as displayed.

interface View {
  text: string;
  /** Where invisible characters were dropped, as positions in `text`; null if none were. */
  dropped: number[] | null;
}

function visibleView(original: string): View {
  let text = original;
  let dropped: number[] | null = null;
  if (INVISIBLE_RE.test(original)) {
    dropped = [];
    INVISIBLE_ALL_RE.lastIndex = 0;
    for (let m = INVISIBLE_ALL_RE.exec(original); m; m = INVISIBLE_ALL_RE.exec(original)) {
      dropped.push(m.index - dropped.length);
    }
    text = original.replace(INVISIBLE_ALL_RE, "");
  }
  if (ODD_SPACE_TEST_RE.test(text)) text = text.replace(ODD_SPACE_RE, " ");
  return { text, dropped };
}

/** The position in the original text of position `at` of the displayed text. */
function originalIndex(view: View, at: number): number {
  const dropped = view.dropped;
  if (!dropped) return at;
  let lo = 0;
  let hi = dropped.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((dropped[mid] as number) <= at) lo = mid + 1;
    else hi = mid;
  }
  return at + lo;
}

// ---------------------------------------------------------------------------
// Right-to-left display.

const BIDI_CONTROL_RE = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const BIDI_SCOPE_RE = /[\u202A-\u202E\u2066-\u2068]/;

/** Nesting depth of the bidi algorithm; deeper embeddings are ignored by it. */
const MAX_BIDI_DEPTH = 125;

/**
 * For each position of `text`, whether it is displayed inside a right-to-left
 * embedding, override or isolate (the innermost one counts: a left-to-right
 * isolate inside right-to-left text keeps its digits in order). Follows the
 * nesting of the bidi algorithm closely enough for this purpose: PDF closes
 * the innermost embedding or override, PDI closes the innermost isolate and
 * everything opened inside it, a paragraph break closes everything.
 * First-strong isolates count as left-to-right (their direction comes from
 * their content; digits have none). Nesting deeper than the algorithm's
 * limit marks the rest of the paragraph.
 */
function rtlMask(text: string): Uint8Array {
  const mask = new Uint8Array(text.length);
  const rtl: boolean[] = [];
  const isolate: boolean[] = [];
  let saturated = false;
  const open = (isRtl: boolean, isIsolate: boolean): void => {
    if (rtl.length >= MAX_BIDI_DEPTH) {
      saturated = true;
      return;
    }
    rtl.push(isRtl);
    isolate.push(isIsolate);
  };
  const closeTo = (depth: number): void => {
    rtl.length = depth;
    isolate.length = depth;
  };
  for (let i = 0; i < text.length; i++) {
    switch (text.charCodeAt(i)) {
      case 0x202a: // LRE
      case 0x202d: // LRO
        open(false, false);
        break;
      case 0x202b: // RLE
      case 0x202e: // RLO
        open(true, false);
        break;
      case 0x2066: // LRI
      case 0x2068: // FSI
        open(false, true);
        break;
      case 0x2067: // RLI
        open(true, true);
        break;
      case 0x202c: // PDF
        if (rtl.length > 0 && !isolate[isolate.length - 1]) closeTo(rtl.length - 1);
        break;
      case 0x2069: {
        // PDI
        const at = isolate.lastIndexOf(true);
        if (at >= 0) closeTo(at);
        break;
      }
      case 0x0a:
      case 0x0d:
      case 0x1c:
      case 0x1d:
      case 0x1e:
      case 0x85:
      case 0x2029:
        closeTo(0);
        saturated = false;
        break;
      default:
        break;
    }
    if (saturated || rtl[rtl.length - 1] === true) mask[i] = 1;
  }
  return mask;
}

// ---------------------------------------------------------------------------
// Rules applied to each match (see the list at the top).

const MIN_DIGITS = 6;
const LONE_COMMA_RE = /(?<!,),(?!,)/g;

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

function asciiDigits(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) out += s[i];
    else if (c >= 0xff10 && c <= 0xff19) out += String.fromCharCode(c - 0xff10 + 0x30);
    else if (c >= 0x0660 && c <= 0x0669) out += String.fromCharCode(c - 0x0660 + 0x30);
    else if (c >= 0x06f0 && c <= 0x06f9) out += String.fromCharCode(c - 0x06f0 + 0x30);
  }
  return out;
}

/** The match with full-width digits and punctuation folded to ASCII, for the shape tests. */
function foldAscii(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c >= 0x0660 && c <= 0x0669) out += String.fromCharCode(c - 0x0660 + 0x30);
    else if (c >= 0x06f0 && c <= 0x06f9) out += String.fromCharCode(c - 0x06f0 + 0x30);
    else if (c === 0x3000 || c === 0x00a0) out += " ";
    else out += s[i];
  }
  return out;
}

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
function commaBefore(text: string, start: number): boolean {
  return start >= 2 && text[start - 1] === "," && ND_RE.test(text[start - 2] as string);
}

function commaAfter(text: string, end: number): boolean {
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
function acceptMatch(text: string, start: number, end: number, number: PhoneNumber): boolean {
  const matched = text.slice(start, end);
  if (FOREIGN_DIGIT_RE.test(matched)) return false;
  if (isGluedBefore(text, start) || isGluedAfter(text, end)) return false;
  const before = text.slice(Math.max(0, start - 40), start);
  if (CURRENCY_BEFORE_RE.test(before)) return false;
  const namedOther = OTHER_NUMBER_BEFORE_RE.test(before) || OTHER_NUMBER_ABBREVIATION_BEFORE_RE.test(before);
  if (namedOther && !matched.startsWith("+")) return false;
  if (CURRENCY_AFTER_RE.test(text.slice(end, end + 12))) return false;
  if (hasOtherShape(matched)) return false;
  return hasSoundDigits(matched, number);
}

/**
 * Work limits for one text (see the top of the module): libphonenumber gives
 * up after this many failed candidates, and the search stops after this many
 * numbers. Real text nodes come nowhere near either.
 */
const MAX_FAILED_TRIES = 300;
const MAX_MATCHES = 500;

type SearchOptions = Exclude<Parameters<typeof searchPhoneNumbersInText>[1], string | undefined> & {
  maxTries: number;
};

function search(text: string, region: CountryCode | undefined): NumberFound[] {
  const options: SearchOptions = { maxTries: MAX_FAILED_TRIES };
  if (region) options.defaultCountry = region;
  const matches: NumberFound[] = [];
  for (const match of searchPhoneNumbersInText(text, options)) {
    matches.push(match);
    if (matches.length >= MAX_MATCHES) break;
  }
  return matches;
}

/**
 * Phone numbers in free text, in order and non-overlapping, validated against
 * the full metadata; numbers without an international prefix are read as
 * numbers of `region`.
 */
export function findNumbersInText(text: string, region: CountryCode | undefined): FoundNumber[] {
  if (!mayHoldNumber(text)) return [];
  const cacheable = text.length <= MAX_CACHED_TEXT;
  const key = cacheable ? `${region ?? ""}\u0000${text}` : "";
  let found = cacheable ? recent.get(key) : undefined;
  if (found) {
    // Most recently used last.
    recent.delete(key);
  } else {
    found = searchText(text, region);
  }
  if (cacheable) {
    recent.set(key, found);
    if (recent.size > MAX_CACHED) recent.delete(recent.keys().next().value as string);
  }
  return found.map((n) => ({ ...n }));
}

/**
 * Recent results: pages re-render the same rows and the content script scans
 * them again, and a search costs far more than a lookup.
 */
const recent = new Map<string, FoundNumber[]>();
const MAX_CACHED = 4096;
const MAX_CACHED_TEXT = 1024;

function searchText(text: string, region: CountryCode | undefined): FoundNumber[] {
  const view = visibleView(text);
  // A lone comma ends a number (see the top of the module); two commas, the
  // dialling pause, are kept.
  const searched = view.text.includes(",") ? view.text.replace(LONE_COMMA_RE, "|") : view.text;
  let matches: NumberFound[];
  try {
    matches = search(searched, region);
  } catch {
    return [];
  }
  if (matches.length === 0) return [];
  const accepted = matches.map((m) => acceptMatch(view.text, m.startsAt, m.endsAt, m.number));
  // A comma with a digit on its far side makes the match part of a larger
  // number ("5.088.322,16"), unless the digits there belong to another number
  // that is kept ("415-555-0178,415-555-0179").
  const keptNeighbour = (i: number, at: number, before: boolean): boolean => {
    const j = before ? i - 1 : i + 1;
    const other = matches[j];
    return other !== undefined && accepted[j] === true && (before ? other.endsAt === at : other.startsAt === at);
  };
  const rtl = BIDI_SCOPE_RE.test(text) ? rtlMask(text) : null;
  const found: FoundNumber[] = [];
  matches.forEach((m, i) => {
    if (!accepted[i]) return;
    if (commaBefore(view.text, m.startsAt) && !keptNeighbour(i, m.startsAt - 1, true)) return;
    if (commaAfter(view.text, m.endsAt) && !keptNeighbour(i, m.endsAt + 1, false)) return;
    const start = originalIndex(view, m.startsAt);
    const end = originalIndex(view, m.endsAt - 1) + 1;
    // Rule 9.
    if (view.dropped && BIDI_CONTROL_RE.test(text.slice(start, end))) return;
    if (rtl && rtl.subarray(start, end).includes(1)) return;
    found.push({ start, end, e164: m.number.number });
  });
  return found;
}

// ---------------------------------------------------------------------------
// Links and selections.

/** "+1 415 555 0132" for "+14155550132"; the input unchanged if it is not a number. */
export function displayNumber(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed ? parsed.formatInternational() : e164;
}

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
    return { target: only.e164, e164: only.e164, display: displayNumber(only.e164) };
  }
  // A copied link such as "tel:+1-415-555-0132;ext=12".
  if (found.length === 0 && TEL_TEXT_RE.test(text)) return dialableFromHref(text.trim(), region);
  return null;
}

// ---------------------------------------------------------------------------
// Form fields.

/** Whole words (after splitting camelCase, snake_case...) that name a phone number field. */
const PHONE_WORDS = new Set([
  "phone",
  "phones",
  "telephone",
  "tel",
  "mobile",
  "mobil",
  "mobiel",
  "cell",
  "cellphone",
  "cellular",
  "fax",
  "telefax",
  "gsm",
  "handy",
  "natel",
  "fon",
  "telefon",
  "rufnummer",
  "festnetz",
  "portable",
  "telefono",
  "tfno",
  "tlf",
  "tlfn",
  "telf",
  "movil",
  "celular",
  "cellulare",
  "telefone",
  "telemovel",
  "telefoon",
  "whatsapp",
]);

/** Compounds: a phone word with one of these before or after it ("mobilePhone" is split, "telefonnummer" is not). */
const PHONE_COMPOUND_RE = new RegExp(
  "^(?:home|work|office|business|private|main|direct|contact|other|alt|day|night|evening|emergency|company" +
    "|mobile|mobil|cell|smart|land|privat|dienst|geschaefts|geschafts|firmen|buero|buro|haupt)?" +
    "(?:phone|telephone|tel|mobile|mobil|mobiel|cell|fax|telefax|handy|telefon|telefoon|telefono|telefone" +
    "|movil|celular|cellulare|fon|festnetz)" +
    "(?:s|no|nr|num|number|nummer|numero|nummern|line)?$",
);

/** Words that mean the field holds part of a number or something else about it. */
const NOT_A_NUMBER_WORDS = new Set([
  "ext",
  "extn",
  "extension",
  "durchwahl",
  "code",
  "codes",
  "prefix",
  "suffix",
  "vorwahl",
  "indicatif",
  "prefijo",
  "prefisso",
  "type",
  "kind",
  "verified",
  "verification",
  "otp",
  "pin",
  "country",
  "area",
]);

/** Words after which the label describes what the number includes ("Phone (with area code)"). */
const INCLUDING_WORDS = new Set(["with", "incl", "including", "inkl", "inklusive", "mit", "avec", "con", "com", "eg"]);
const PARENTHESES_RE = /\([^()]*\)|\[[^[\]]*\]|（[^（）]*）/g;

/** Phone words in scripts written without spaces. */
const CJK_PHONE_RE = /电话|電話|手机|手機|座机|传真|傳真|携帯|ケータイ|ファックス|ファクス|電話番号|전화|휴대폰|핸드폰|팩스/;
const CJK_NOT_A_NUMBER_RE = /区号|國碼|国码|区域码|分机|分機|内線|内线|국가번호/;

/** Longer texts are prose, not a field's label. */
const MAX_LABEL_TEXT = 300;

function labelWords(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * True when an input's name, id, autocomplete, aria-label, label or
 * placeholder text says it holds a phone number.
 */
export function isPhoneFieldLabel(text: string): boolean {
  if (text.length === 0 || text.length > MAX_LABEL_TEXT) return false;
  // What the field is, leaving out remarks on what the number includes.
  const main = text.replace(PARENTHESES_RE, " ");
  if (CJK_PHONE_RE.test(text)) return !CJK_NOT_A_NUMBER_RE.test(main);
  const mainWords = labelWords(main);
  const including = mainWords.findIndex((w) => INCLUDING_WORDS.has(w));
  if (mainWords.slice(0, including < 0 ? undefined : including).some((w) => NOT_A_NUMBER_WORDS.has(w))) return false;
  return labelWords(text).some((w) => PHONE_WORDS.has(w) || PHONE_COMPOUND_RE.test(w));
}

// ---------------------------------------------------------------------------
// Region.

function supportedRegion(code: string): CountryCode | undefined {
  const upper = code.toUpperCase();
  return /^[A-Z]{2}$/.test(upper) && isSupportedCountry(upper) ? (upper as CountryCode) : undefined;
}

/**
 * The default region: a valid two-letter setting if given, else the region
 * of the first browser language that names one ("en-GB" gives GB, "zh-Hans-CN"
 * gives CN, "de" names none), else undefined.
 */
export function defaultRegion(
  setting: string | null | undefined,
  languages: readonly string[],
): CountryCode | undefined {
  const fromSetting = setting ? supportedRegion(setting.trim()) : undefined;
  if (fromSetting) return fromSetting;
  for (const language of languages) {
    const subtags = language.trim().split(/[-_]/);
    for (let i = 1; i < subtags.length; i++) {
      const subtag = subtags[i] as string;
      if (subtag.length === 1) break; // extensions and private use follow
      if (subtag.length === 2) {
        const region = supportedRegion(subtag);
        if (region) return region;
        break;
      }
    }
  }
  return undefined;
}
