// Right-to-left display: which positions of a text are shown inside a right-to-left
// embedding, override or isolate, where digits may appear in another order than the
// one that would be dialled (rule 9 of rules.ts).

export const BIDI_CONTROL_RE = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
export const BIDI_SCOPE_RE = /[\u202A-\u202E\u2066-\u2068]/;

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
export function rtlMask(text: string): Uint8Array {
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
