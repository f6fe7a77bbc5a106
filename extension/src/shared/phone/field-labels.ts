// Whether a form field holds a phone number, from its name, id, autocomplete, label or
// placeholder: phone words in English, German, French, Spanish, Italian, Portuguese,
// Dutch, Chinese, Japanese and Korean, and the words that mean only part of a number.

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
