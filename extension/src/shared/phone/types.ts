// What the phone modules hand out: a number found in text, and something to dial.

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
