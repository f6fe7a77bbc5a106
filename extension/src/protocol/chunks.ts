// Chunking of messages too large for one native-messaging frame (docs/PROTOCOL.md,
// "chunk"): splitting outgoing messages and joining incoming chunks. Pure code, no
// browser APIs, so it runs unchanged in unit tests.

import {
  CHUNK_SLICE_BYTES,
  MAX_CHUNKS,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  MIN_CHUNKS,
  PROTOCOL_VERSION,
  isChunk,
  isPlainObject,
  type ChunkMessage,
} from "./index";

const encoder = new TextEncoder();

/** Thrown when a message cannot be sent at all; `code` is the protocol's error code. */
export class FrameError extends Error {
  constructor(
    readonly code: "frame_too_large" | "bad_frame",
    message: string,
  ) {
    super(message);
    this.name = "FrameError";
  }
}

/** UTF-8 length of a string, in bytes. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

// ---- base64 over bytes (btoa/atob exist in service workers, pages and Node) ----------

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const step = 0x6000; // a multiple of 3, so every part but the last needs no padding
  for (let start = 0; start < bytes.length; start += step) {
    const block = bytes.subarray(start, start + step);
    let binary = "";
    for (let i = 0; i < block.length; i++) binary += String.fromCharCode(block[i]!);
    parts.push(btoa(binary));
  }
  return parts.join("");
}

/** Strict base64 (standard alphabet, padded); null when `text` is not that. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !BASE64_PATTERN.test(text)) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// ---- splitting -----------------------------------------------------------------------

/**
 * The frames to post for one message: `[message]` itself when it fits in a frame, else
 * its chunks (2–64, all with `chunkId`, in index order). Throws `FrameError` with
 * `frame_too_large` when the message is over 16 MiB.
 */
export function framesFor(message: object, chunkId: () => string): object[] {
  // The browser frames the same JSON that JSON.stringify gives (checked on Chromium 156
  // and Firefox 153: a frame's length is this UTF-8 length), so this is the frame size.
  const bytes = encoder.encode(JSON.stringify(message));
  if (bytes.length <= MAX_FRAME_BYTES) return [message];
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new FrameError(
      "frame_too_large",
      `message is ${bytes.length} bytes; at most ${MAX_MESSAGE_BYTES} can be sent`,
    );
  }
  return splitBytes(bytes, chunkId());
}

/** Splits a message's UTF-8 JSON into chunk messages. */
export function splitBytes(bytes: Uint8Array, id: string): ChunkMessage[] {
  if (bytes.length < MIN_CHUNKS) throw new FrameError("bad_frame", "too short to chunk");
  let sliceBytes = CHUNK_SLICE_BYTES;
  let count = Math.ceil(bytes.length / sliceBytes);
  if (count < MIN_CHUNKS) {
    // Under one slice (only when called directly: framesFor chunks only over 1 MiB).
    count = MIN_CHUNKS;
    sliceBytes = Math.ceil(bytes.length / MIN_CHUNKS);
  }
  if (count > MAX_CHUNKS) {
    throw new FrameError("frame_too_large", `message needs ${count} chunks; at most ${MAX_CHUNKS}`);
  }
  const chunks: ChunkMessage[] = [];
  for (let index = 0; index < count; index++) {
    const slice = bytes.subarray(index * sliceBytes, (index + 1) * sliceBytes);
    chunks.push({
      v: PROTOCOL_VERSION,
      kind: "chunk",
      id,
      index,
      count,
      data: bytesToBase64(slice),
    });
  }
  return chunks;
}

// ---- joining -------------------------------------------------------------------------

export type JoinOutcome =
  | { kind: "pending"; id: string; received: number; count: number }
  | { kind: "complete"; id: string; message: unknown }
  | { kind: "dropped"; id: string; reason: string };

interface Partial {
  id: string;
  count: number;
  next: number;
  bytes: number;
  slices: Uint8Array[];
}

/**
 * Joins incoming chunks into whole messages. A sender sends one message's chunks in
 * order without interleaving, so one partial message is kept at a time. Anything
 * else — a chunk out of order, a duplicate, a missing chunk (seen when a new message
 * starts before the last one ended), bad base64, an over-long slice, a joined message
 * over 16 MiB or not UTF-8 JSON — drops the partial message and reports why through
 * `onDrop`; later chunks of a dropped message are ignored without further reports.
 */
export class ChunkJoiner {
  private partial: Partial | null = null;
  private discarded: string | null = null;

  constructor(private readonly onDrop: (id: string, reason: string) => void = () => {}) {}

  /** The id of the message being joined, if any. */
  get pendingId(): string | null {
    return this.partial?.id ?? null;
  }

  /** Forgets any partial message (the connection closed). */
  reset(): void {
    this.partial = null;
    this.discarded = null;
  }

  accept(chunk: unknown): JoinOutcome {
    if (!isChunk(chunk)) {
      const claimed = isPlainObject(chunk) ? chunk.id : undefined;
      return this.drop(typeof claimed === "string" ? claimed : "?", "malformed chunk");
    }
    const { id, index, count } = chunk;

    if (index === 0) {
      if (this.partial) {
        const old = this.partial;
        this.partial = null;
        this.report(
          old.id,
          old.id === id
            ? `chunk 0 again after ${old.next} of ${old.count} (duplicate or restarted)`
            : `incomplete: got ${old.next} of ${old.count} chunks before message ${id} began`,
        );
      }
      this.discarded = null;
      this.partial = { id, count, next: 0, bytes: 0, slices: [] };
    } else if (!this.partial) {
      if (this.discarded === id) return { kind: "dropped", id, reason: "rest of a dropped message" };
      return this.drop(id, `chunk ${index} of ${count} without the chunks before it (missing or out of order)`);
    }

    const partial = this.partial;
    if (partial.id !== id) {
      this.partial = null;
      this.report(partial.id, `interleaved with chunk ${index} of message ${id}`);
      return this.drop(id, `chunk ${index} of ${count} interleaved with message ${partial.id}`);
    }
    if (count !== partial.count) {
      return this.drop(id, `chunk ${index} says ${count} chunks, chunk 0 said ${partial.count}`);
    }
    if (index !== partial.next) {
      const what = index < partial.next ? "duplicate" : "out of order or after a missing chunk";
      return this.drop(id, `chunk ${index} of ${count} ${what}; expected chunk ${partial.next}`);
    }
    const slice = base64ToBytes(chunk.data);
    if (!slice) return this.drop(id, `chunk ${index} of ${count} is not valid base64`);
    if (slice.length > CHUNK_SLICE_BYTES) {
      return this.drop(id, `chunk ${index} of ${count} carries ${slice.length} bytes; at most ${CHUNK_SLICE_BYTES}`);
    }
    if (partial.bytes + slice.length > MAX_MESSAGE_BYTES) {
      return this.drop(id, `joined message would exceed ${MAX_MESSAGE_BYTES} bytes`);
    }
    partial.slices.push(slice);
    partial.bytes += slice.length;
    partial.next += 1;
    if (partial.next < partial.count) {
      return { kind: "pending", id, received: partial.next, count: partial.count };
    }

    this.partial = null;
    const joined = new Uint8Array(partial.bytes);
    let offset = 0;
    for (const part of partial.slices) {
      joined.set(part, offset);
      offset += part.length;
    }
    let message: unknown;
    try {
      message = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(joined));
    } catch {
      return this.drop(id, "joined message is not UTF-8 JSON");
    }
    return { kind: "complete", id, message };
  }

  private drop(id: string, reason: string): JoinOutcome {
    if (this.partial?.id === id) this.partial = null;
    this.discarded = id;
    this.report(id, reason);
    return { kind: "dropped", id, reason };
  }

  private report(id: string, reason: string): void {
    try {
      this.onDrop(id, reason);
    } catch {
      // A logging failure must not break the connection.
    }
  }
}
