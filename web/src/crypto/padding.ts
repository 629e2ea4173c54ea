// ISO/IEC 7816-4 padding (0x80 then zeros) to 256 B, 1, 2, 4, 8 or 16 KiB, then multiples of 16 KiB,
// so a ciphertext's length tells only its bucket (PROTOCOL.md 10.3).
const buckets = [256, 1024, 2048, 4096, 8192, 16384];
const largeStep = 16384;

export function paddedLength(length: number): number {
  const needed = length + 1;
  for (const bucket of buckets) if (needed <= bucket) return bucket;
  return Math.ceil(needed / largeStep) * largeStep;
}

export function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(paddedLength(data.length));
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** The data before the padding, or null when the padding is malformed. */
export function unpad(padded: Uint8Array): Uint8Array | null {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  return end < 0 || padded[end] !== 0x80 ? null : padded.slice(0, end);
}
