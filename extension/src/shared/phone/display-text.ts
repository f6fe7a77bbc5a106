// The text as it is displayed: invisible characters dropped (with a way back to
// positions in the original text) and typographic spaces read as spaces; digits of other
// scripts folded to ASCII for counting and for the shape tests.

import { INVISIBLE } from "./patterns";

const INVISIBLE_RE = new RegExp(`[${INVISIBLE}]`);
const INVISIBLE_ALL_RE = new RegExp(`[${INVISIBLE}]`, "g");
const ODD_SPACE_RE = /[\u2000-\u200A\u202F\u205F]/g;
const ODD_SPACE_TEST_RE = /[\u2000-\u200A\u202F\u205F]/;

export interface View {
  text: string;
  /** Where invisible characters were dropped, as positions in `text`; null if none were. */
  dropped: number[] | null;
}

export function visibleView(original: string): View {
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
export function originalIndex(view: View, at: number): number {
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

export function asciiDigits(s: string): string {
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
export function foldAscii(s: string): string {
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
