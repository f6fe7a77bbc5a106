// The cheap test run on every text node before the full search: one precompiled regex
// that rules out almost all text (no digits, dates, amounts, ids) without reaching
// libphonenumber. It must never rule out a number the full search would keep.

import { D, DATE_DMY, DATE_SHORT, DATE_YMD, DIGIT, GAP, INVISIBLE, PUNCT, WORD_LETTER } from "./patterns";

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
