// Draws the extension's icons (a rounded square with a handset-like ring) and encodes
// them as PNG with a tiny encoder. The zlib stream uses stored (uncompressed) blocks, so
// the bytes depend on nothing but this code: the same on every machine and Node version.

function crc32Table() {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
const CRC_TABLE = crc32Table();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes) {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function u32(n) {
  return Buffer.from([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  return Buffer.concat([u32(data.length), body, u32(crc32(body))]);
}

/** zlib stream of stored deflate blocks. */
function zlibStored(data) {
  const parts = [Buffer.from([0x78, 0x01])];
  let offset = 0;
  do {
    const block = data.subarray(offset, offset + 65535);
    offset += block.length;
    const last = offset >= data.length ? 1 : 0;
    const len = block.length;
    parts.push(Buffer.from([last, len & 255, len >>> 8, ~len & 255, (~len >>> 8) & 255]), block);
  } while (offset < data.length);
  parts.push(u32(adler32(data)));
  return Buffer.concat(parts);
}

/** PNG (RGBA, 8 bit) from `rgba`, a width×height×4 byte array. */
export function encodePng(width, height, rgba) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const header = Buffer.concat([u32(width), u32(height), Buffer.from([8, 6, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlibStored(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const BLUE = [11, 92, 213];
const WHITE = [255, 255, 255];

/** Coverage of pixel (x, y) by a shape, by 4×4 supersampling. */
function coverage(size, x, y, inside) {
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const u = (x + (sx + 0.5) / 4) / size;
      const v = (y + (sy + 0.5) / 4) / size;
      if (inside(u, v)) hits++;
    }
  }
  return hits / 16;
}

function roundedSquare(u, v) {
  const r = 0.22;
  const dx = Math.max(Math.abs(u - 0.5) - (0.5 - r), 0);
  const dy = Math.max(Math.abs(v - 0.5) - (0.5 - r), 0);
  return dx * dx + dy * dy <= r * r;
}

function mark(u, v) {
  // A ring with a gap at the lower right, and a dot in the middle: "someone on the call".
  const d = Math.hypot(u - 0.5, v - 0.5);
  const angle = Math.atan2(v - 0.5, u - 0.5);
  const ring = d >= 0.24 && d <= 0.34 && !(angle > 0.15 && angle < 1.2);
  const dot = d <= 0.12;
  return ring || dot;
}

export function drawIcon(size) {
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const bg = coverage(size, x, y, roundedSquare);
      const fg = coverage(size, x, y, (u, v) => roundedSquare(u, v) && mark(u, v));
      const i = (y * size + x) * 4;
      const alpha = bg;
      if (alpha === 0) continue;
      const mix = fg / alpha;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(BLUE[c] * (1 - mix) + WHITE[c] * mix);
      rgba[i + 3] = Math.round(alpha * 255);
    }
  }
  return encodePng(size, size, rgba);
}
