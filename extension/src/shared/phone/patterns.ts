// Character classes and date patterns shared by the cheap test (prefilter.ts) and the
// rules applied to each match (rules.ts), so the two never disagree on what a digit,
// a separator or a date is.

/** Digits libphonenumber reads: ASCII, full-width, Arabic-Indic, Eastern Arabic-Indic. */
export const DIGIT = "0-9\\uFF10-\\uFF19\\u0660-\\u0669\\u06F0-\\u06F9";
/** Punctuation libphonenumber allows between digit groups, and typographic spaces (read as spaces). */
export const PUNCT =
  "\\-\\u2010-\\u2015\\u2212\\u30FC\\uFF0D\\uFF0F/\\uFF0E. \\u00A0\\u3000" +
  "()\\uFF08\\uFF09\\uFF3B\\uFF3D\\[\\]~\\u2053\\u223C\\uFF5E" +
  "\\u2000-\\u200A\\u202F\\u205F";
/** Characters that take no room on screen; dropped before searching. */
export const INVISIBLE = "\\u00AD\\u061C\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF";
/** Letters of the scripts where a number glued to a word is not a phone number. */
export const WORD_LETTER = "\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}";

/**
 * Between two digits of one number: up to four punctuation characters (as
 * libphonenumber allows), and a few invisible characters. More invisibles
 * than that inside a number is obfuscation; bounding them keeps the test
 * linear on hostile text.
 */
export const GAP = `(?:[${INVISIBLE}]{0,2}[${PUNCT}]){0,4}[${INVISIBLE}]{0,2}`;
export const D = `[${DIGIT}]`;

/** Dates (year first, or day and month first with a four-digit year). */
export const DATE_YMD = "(?:19|20)\\d\\d(?<ymd>[\\-./])(?:0?[1-9]|1[0-2])\\k<ymd>(?:0?[1-9]|[12]\\d|3[01])(?!\\d)";
export const DATE_DMY = "\\d{1,2}(?<dmy>[\\-./])\\d{1,2}\\k<dmy>(?:19|20)\\d\\d(?!\\d)";
/** Dates with a two-digit year: day and month, or month and day, must be real. */
export const DATE_SHORT =
  "(?:(?:0?[1-9]|[12]\\d|3[01])(?<dm>[\\-./])(?:0?[1-9]|1[0-2])\\k<dm>" +
  "|(?:0?[1-9]|1[0-2])(?<md>[\\-./])(?:0?[1-9]|[12]\\d|3[01])\\k<md>)\\d\\d";
