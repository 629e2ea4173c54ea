using System.Buffers.Binary;
using System.Security.Cryptography;
using Purr.Crypto;

namespace Purr.TestKit;

/// <summary>
/// Deterministic bytes for test vectors: block i is HMAC-SHA256(seed, "purr test random" ‖ u64be(i)),
/// consumed in order. Simple enough to reproduce in any language (the browser client's tests do).
/// </summary>
public sealed class SeededRandomSource(byte[] seed) : IRandomSource
{
    private static readonly byte[] Label = "purr test random"u8.ToArray();
    private readonly Queue<byte> pending = new();
    private ulong counter;

    public void Fill(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            if (pending.Count == 0)
            {
                var input = new byte[Label.Length + 8];
                Label.CopyTo(input, 0);
                BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(Label.Length), counter++);
                foreach (var b in HMACSHA256.HashData(seed, input))
                {
                    pending.Enqueue(b);
                }
            }

            buffer[i] = pending.Dequeue();
        }
    }
}
