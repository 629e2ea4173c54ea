import { hmacSha256, randomBytes } from "./sodium";

/** Where key material and nonces come from: the system in use, a seeded stream in the vector tests. */
export interface RandomSource { bytes(length: number): Uint8Array }

export const systemRandom: RandomSource = { bytes: randomBytes };

/**
 * The C# SeededRandomSource: block i = HMAC-SHA256(seed, "purr test random" || u64be(i)), consumed
 * in order (PROTOCOL.md 10.7). Only for reproducing the cross-implementation vectors.
 */
export class SeededRandom implements RandomSource {
  private static readonly label = new TextEncoder().encode("purr test random");
  private pending: Uint8Array = new Uint8Array(0);
  private counter = 0n;

  constructor(private readonly seed: Uint8Array) {}

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      if (this.pending.length === 0) {
        const index = new Uint8Array(8);
        new DataView(index.buffer).setBigUint64(0, this.counter++);
        this.pending = hmacSha256(this.seed, SeededRandom.label, index);
      }
      out[i] = this.pending[0]!;
      this.pending = this.pending.subarray(1);
    }
    return out;
  }
}
