import { describe, expect, it, vi } from "vitest";
import {
  ChunkJoiner,
  FrameError,
  base64ToBytes,
  bytesToBase64,
  framesFor,
  splitBytes,
  utf8Length,
} from "../src/protocol/chunks";
import {
  CHUNK_SLICE_BYTES,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  isChunk,
  type ChunkMessage,
} from "../src/protocol/index";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A request whose JSON is exactly `bytes` long, padded with `fill` (1-byte ASCII). */
function requestOfSize(bytes: number, fill = "x"): Record<string, unknown> {
  const base = { v: 1, kind: "request", id: "r-1", type: "ping", payload: { echo: "" } };
  const overhead = utf8Length(JSON.stringify(base));
  const message = { ...base, payload: { echo: fill.repeat(bytes - overhead) } };
  expect(utf8Length(JSON.stringify(message))).toBe(bytes);
  return message;
}

function ids(): () => string {
  let n = 0;
  return () => `c-${++n}`;
}

function joinAll(frames: object[]): unknown {
  const joiner = new ChunkJoiner();
  let result: unknown = undefined;
  frames.forEach((frame, i) => {
    const outcome = joiner.accept(frame);
    if (i < frames.length - 1) expect(outcome.kind).toBe("pending");
    else {
      expect(outcome.kind).toBe("complete");
      if (outcome.kind === "complete") result = outcome.message;
    }
  });
  return result;
}

function sliceSizes(chunks: object[]): number[] {
  return chunks.map((c) => base64ToBytes((c as ChunkMessage).data)!.length);
}

describe("base64", () => {
  it("round-trips bytes of every small length and a large buffer", () => {
    for (let len = 0; len < 40; len++) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 255);
      expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
    }
    const big = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 7919) & 255);
    const text = bytesToBase64(big);
    expect(text.length).toBe(Math.ceil(big.length / 3) * 4);
    expect(base64ToBytes(text)).toEqual(big);
  });

  it("matches the standard encoding", () => {
    expect(bytesToBase64(encoder.encode("héllo ✓"))).toBe(btoa(String.fromCharCode(...encoder.encode("héllo ✓"))));
  });

  it("refuses what is not strict padded base64", () => {
    for (const bad of ["abc", "ab=c", "a===", "ab c", "YWJj\n", "YW-j", "====", "YQ="]) {
      expect(base64ToBytes(bad)).toBeNull();
    }
    expect(base64ToBytes("")).toEqual(new Uint8Array(0));
  });
});

describe("framesFor (splitting)", () => {
  it("sends a message that fits as itself", () => {
    const message = requestOfSize(1000);
    expect(framesFor(message, ids())).toEqual([message]);
  });

  it("keeps a message of exactly 1 MiB whole and chunks one byte more", () => {
    const exact = requestOfSize(MAX_FRAME_BYTES);
    expect(framesFor(exact, ids())).toEqual([exact]);

    const over = requestOfSize(MAX_FRAME_BYTES + 1);
    const frames = framesFor(over, ids());
    expect(frames).toHaveLength(2);
    expect(frames.every(isChunk)).toBe(true);
    expect(sliceSizes(frames)).toEqual([CHUNK_SLICE_BYTES, MAX_FRAME_BYTES + 1 - CHUNK_SLICE_BYTES]);
    expect(joinAll(frames)).toEqual(over);
  });

  it("cuts at exact 720 KiB slice boundaries", () => {
    const two = requestOfSize(2 * CHUNK_SLICE_BYTES);
    expect(sliceSizes(framesFor(two, ids()))).toEqual([CHUNK_SLICE_BYTES, CHUNK_SLICE_BYTES]);
    const three = requestOfSize(2 * CHUNK_SLICE_BYTES + 1);
    expect(sliceSizes(framesFor(three, ids()))).toEqual([CHUNK_SLICE_BYTES, CHUNK_SLICE_BYTES, 1]);
    expect(joinAll(framesFor(three, ids()))).toEqual(three);
  });

  it("gives every chunk the same id, index order, the count, and frames under 1 MiB", () => {
    const message = requestOfSize(3 * 1024 * 1024);
    const frames = framesFor(message, ids()) as ChunkMessage[];
    expect(frames).toHaveLength(Math.ceil((3 * 1024 * 1024) / CHUNK_SLICE_BYTES));
    frames.forEach((frame, index) => {
      expect(frame).toMatchObject({ v: 1, kind: "chunk", id: "c-1", index, count: frames.length });
      expect(utf8Length(JSON.stringify(frame))).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    });
  });

  it("round-trips non-ASCII text whose characters straddle slice boundaries", () => {
    // 1-, 2-, 3- and 4-byte UTF-8 characters in a pattern that does not divide 720 KiB.
    const pattern = "aé中😀";
    const message = { v: 1, kind: "request", id: "r-9", type: "ping", payload: { echo: pattern.repeat(200_000) } };
    const json = JSON.stringify(message);
    const frames = framesFor(message, ids());
    expect(frames.length).toBe(Math.ceil(utf8Length(json) / CHUNK_SLICE_BYTES));
    // At least one slice boundary falls inside a multi-byte character.
    const bytes = encoder.encode(json);
    const cutsInside = [...Array(frames.length - 1).keys()].some(
      (i) => ((bytes[(i + 1) * CHUNK_SLICE_BYTES] ?? 0) & 0xc0) === 0x80,
    );
    expect(cutsInside).toBe(true);
    expect(joinAll(frames)).toEqual(message);
  });

  it("measures UTF-8 bytes, not UTF-16 code units", () => {
    // 400 000 × "é" is 400 000 code units but 800 000 bytes; 600 000 would be 1.2 MB.
    const small = { v: 1, kind: "request", id: "r-1", type: "ping", payload: { echo: "é".repeat(400_000) } };
    expect(framesFor(small, ids())).toEqual([small]);
    const big = { ...small, payload: { echo: "é".repeat(600_000) } };
    expect(JSON.stringify(big).length).toBeLessThan(MAX_FRAME_BYTES);
    expect(framesFor(big, ids())).toHaveLength(2);
  });

  it("splitBytes makes two halves of a message under one slice", () => {
    const bytes = encoder.encode(JSON.stringify({ echo: "<".repeat(300_000) }));
    const frames = splitBytes(bytes, "c-1");
    expect(sliceSizes(frames)).toEqual([Math.ceil(bytes.length / 2), Math.floor(bytes.length / 2)]);
    expect(joinAll(frames)).toEqual({ echo: "<".repeat(300_000) });
  });

  it("sends exactly 16 MiB and refuses one byte more", () => {
    const max = requestOfSize(MAX_MESSAGE_BYTES);
    const frames = framesFor(max, ids());
    expect(frames).toHaveLength(Math.ceil(MAX_MESSAGE_BYTES / CHUNK_SLICE_BYTES));
    expect(joinAll(frames)).toEqual(max);

    const over = requestOfSize(MAX_MESSAGE_BYTES + 1);
    expect(() => framesFor(over, ids())).toThrow(FrameError);
    try {
      framesFor(over, ids());
    } catch (err) {
      expect((err as FrameError).code).toBe("frame_too_large");
    }
  });

  it("splitBytes refuses what cannot make two chunks", () => {
    expect(() => splitBytes(new Uint8Array(1), "c-1")).toThrow(FrameError);
    expect(splitBytes(new Uint8Array([1, 2]), "c-1")).toHaveLength(2);
  });
});

function chunksOf(message: unknown, id = "c-1"): ChunkMessage[] {
  const bytes = encoder.encode(JSON.stringify(message));
  return splitBytes(bytes, id);
}

function bigEvent(kib: number): Record<string, unknown> {
  return { v: 1, kind: "event", seq: 3, type: "daemon.clients", payload: { pad: "é".repeat(kib * 512) } };
}

describe("ChunkJoiner", () => {
  it("joins chunks in order into one message", () => {
    const message = bigEvent(2000);
    const chunks = chunksOf(message);
    expect(chunks.length).toBeGreaterThan(2);
    expect(joinAll(chunks)).toEqual(message);
  });

  it("drops a message whose chunks arrive out of order, and ignores the rest of it", () => {
    const drops: string[] = [];
    const joiner = new ChunkJoiner((id, reason) => drops.push(`${id}: ${reason}`));
    const [c0, c1, c2] = chunksOf(bigEvent(2000), "c-5");
    expect(joiner.accept(c0).kind).toBe("pending");
    const outcome = joiner.accept(c2);
    expect(outcome).toMatchObject({ kind: "dropped", id: "c-5" });
    expect(joiner.accept(c1).kind).toBe("dropped");
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatch(/out of order/);
    expect(joiner.pendingId).toBeNull();
  });

  it("drops a message with a duplicate chunk", () => {
    const drops: string[] = [];
    const joiner = new ChunkJoiner((_id, reason) => drops.push(reason));
    const [c0, c1] = chunksOf(bigEvent(2000));
    joiner.accept(c0);
    joiner.accept(c1);
    expect(joiner.accept(c1)).toMatchObject({ kind: "dropped" });
    expect(drops[0]).toMatch(/duplicate/);
  });

  it("notices a missing last chunk when the next message begins, and joins that one", () => {
    const drops: string[] = [];
    const joiner = new ChunkJoiner((id, reason) => drops.push(`${id}: ${reason}`));
    const first = chunksOf(bigEvent(2000), "c-1");
    const second = bigEvent(900);
    joiner.accept(first[0]);
    joiner.accept(first[1]);
    expect(joiner.pendingId).toBe("c-1");
    const next = chunksOf(second, "c-2");
    next.slice(0, -1).forEach((c) => expect(joiner.accept(c).kind).toBe("pending"));
    expect(joiner.accept(next[next.length - 1])).toEqual({ kind: "complete", id: "c-2", message: second });
    expect(drops).toEqual([`c-1: incomplete: got 2 of ${first.length} chunks before message c-2 began`]);
  });

  it("drops chunks whose first chunk is missing", () => {
    const drops: string[] = [];
    const joiner = new ChunkJoiner((_id, reason) => drops.push(reason));
    const [, c1, c2] = chunksOf(bigEvent(2000));
    expect(joiner.accept(c1).kind).toBe("dropped");
    expect(joiner.accept(c2).kind).toBe("dropped");
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatch(/without the chunks before it/);
  });

  it("drops interleaved messages, a changed count, bad base64, over-long slices", () => {
    const base = chunksOf(bigEvent(2000), "c-1");
    const other = chunksOf(bigEvent(2000), "c-2");

    let joiner = new ChunkJoiner();
    joiner.accept(base[0]);
    expect(joiner.accept(other[1]).kind).toBe("dropped");
    expect(joiner.pendingId).toBeNull();

    joiner = new ChunkJoiner();
    joiner.accept(base[0]);
    expect(joiner.accept({ ...base[1], count: base.length + 1 })).toMatchObject({ kind: "dropped" });

    joiner = new ChunkJoiner();
    expect(joiner.accept({ ...base[0], data: "not base64!" })).toMatchObject({ kind: "dropped" });

    joiner = new ChunkJoiner();
    const tooLong = bytesToBase64(new Uint8Array(CHUNK_SLICE_BYTES + 1));
    expect(joiner.accept({ ...base[0], data: tooLong })).toMatchObject({ kind: "dropped" });

    joiner = new ChunkJoiner();
    expect(joiner.accept({ v: 1, kind: "chunk", id: "c-9", index: 0, count: 1, data: "" })).toMatchObject({
      kind: "dropped",
      reason: "malformed chunk",
    });
    expect(joiner.accept({ v: 1, kind: "chunk", id: "c-9", index: 0, count: 65, data: "" }).kind).toBe("dropped");
  });

  it("drops a joined message that is not UTF-8 JSON", () => {
    const notJson = splitBytes(encoder.encode("{not json"), "c-1");
    expect(new ChunkJoiner().accept(notJson[0]).kind).toBe("pending");
    const joiner = new ChunkJoiner();
    joiner.accept(notJson[0]);
    expect(joiner.accept(notJson[1])).toMatchObject({ kind: "dropped", reason: "joined message is not UTF-8 JSON" });

    const badUtf8 = splitBytes(new Uint8Array([0x22, 0xff, 0xfe, 0x22]), "c-2");
    const joiner2 = new ChunkJoiner();
    joiner2.accept(badUtf8[0]);
    expect(joiner2.accept(badUtf8[1])).toMatchObject({ kind: "dropped" });
  });

  it("enforces the 16 MiB cap on a joined message", () => {
    const drops: string[] = [];
    const joiner = new ChunkJoiner((_id, reason) => drops.push(reason));
    const data = bytesToBase64(new Uint8Array(CHUNK_SLICE_BYTES).fill(0x20));
    const count = 24; // 24 × 720 KiB = 16.875 MiB
    const allowed = Math.floor(MAX_MESSAGE_BYTES / CHUNK_SLICE_BYTES); // 22 full slices fit
    for (let index = 0; index < count; index++) {
      const outcome = joiner.accept({ v: 1, kind: "chunk", id: "c-big", index, count, data });
      if (index < allowed) expect(outcome.kind).toBe("pending");
      else {
        expect(outcome).toMatchObject({ kind: "dropped" });
        if (index === allowed) expect(drops[0]).toMatch(/exceed/);
      }
    }
    expect(drops).toHaveLength(1);
  });

  it("accepts a joined message of exactly 16 MiB", () => {
    const message = requestOfSize(MAX_MESSAGE_BYTES);
    const frames = chunksOf(message);
    expect(joinAll(frames)).toEqual(message);
  });

  it("survives a throwing drop listener and can be reset", () => {
    const onDrop = vi.fn(() => {
      throw new Error("log failed");
    });
    const joiner = new ChunkJoiner(onDrop);
    const [c0, , c2] = chunksOf(bigEvent(2000));
    joiner.accept(c0);
    expect(joiner.accept(c2).kind).toBe("dropped");
    expect(onDrop).toHaveBeenCalledOnce();
    joiner.accept(c0);
    joiner.reset();
    expect(joiner.pendingId).toBeNull();
  });

  it("decodes what it joins with the same UTF-8 it was given", () => {
    const text = "Zoë 👋 — 商談";
    const frames = splitBytes(encoder.encode(JSON.stringify({ text })), "c-1");
    expect(joinAll(frames)).toEqual({ text });
    expect(decoder.decode(encoder.encode(text))).toBe(text);
  });
});
