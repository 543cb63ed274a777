// Minimal PNG writer (8-bit RGB, no filtering) for test images, with node's zlib.

import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** PNG bytes of a `width x height` RGB image; `pixel(x, y)` returns [r, g, b] in 0..255. */
export function encodePng(width, height, pixel) {
  const raw = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y += 1) {
    const row = y * (1 + 3 * width);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = pixel(x, y);
      raw.set([r, g, b].map((v) => Math.max(0, Math.min(255, Math.round(v)))), row + 1 + 3 * x);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A textured test image: colour gradients plus waves of several frequencies, so that the
 * patches' Γ has a spread of eigenvalues; `seed` shifts the waves. */
export function texture(width, height, seed) {
  return encodePng(width, height, (x, y) => {
    const w = (fx, fy, p) => Math.sin(fx * x + fy * y + p + seed);
    return [
      (255 * x) / width + 40 * w(0.9, 0.3, 0) + 25 * w(0.2, 1.7, 1),
      (255 * y) / height + 40 * w(0.4, 1.1, 2) + 25 * w(2.1, 0.5, 3),
      128 + 60 * w(0.7, 0.7, 4) + 30 * w(1.3, -0.9, 5),
    ];
  });
}
