using Purr.Crypto.Interop;

namespace Purr.Crypto;

/// <summary>
/// Secret bytes in libsodium's guarded heap: surrounded by guard pages, locked out of swap,
/// inaccessible between uses (mprotect), and wiped when freed.
/// </summary>
public sealed unsafe class GuardedBuffer : IDisposable
{
    private readonly Lock gate = new();
    private nint pointer;

    public GuardedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Sodium.EnsureAvailable();
        pointer = LibSodium.sodium_malloc((nuint)length);
        if (pointer == 0)
        {
            throw new InsufficientMemoryException("sodium_malloc failed");
        }

        Length = length;
        _ = LibSodium.sodium_mprotect_noaccess(pointer);
    }

    public int Length { get; }

    /// <summary>Copies <paramref name="secret"/> into a new guarded buffer.</summary>
    public static GuardedBuffer From(ReadOnlySpan<byte> secret)
    {
        var buffer = new GuardedBuffer(secret.Length);
        var copy = secret.ToArray();
        try
        {
            buffer.Write(target => copy.CopyTo(target));
        }
        finally
        {
            ConstantTime.Zero(copy);
        }

        return buffer;
    }

    /// <summary>Reads the secret while the buffer is unlocked; the span must not escape the callback.</summary>
    public void Read(ReadOnlySpanAction action) => Read(secret =>
    {
        action(secret);
        return true;
    });

    /// <summary>Like <see cref="Read"/>, returning a value computed from the secret.</summary>
    public T Read<T>(ReadOnlySpanFunc<T> func)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(pointer == 0, this);
            _ = LibSodium.sodium_mprotect_readonly(pointer);
            try
            {
                return func(new ReadOnlySpan<byte>((void*)pointer, Length));
            }
            finally
            {
                _ = LibSodium.sodium_mprotect_noaccess(pointer);
            }
        }
    }

    public void Write(SpanAction action)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(pointer == 0, this);
            _ = LibSodium.sodium_mprotect_readwrite(pointer);
            try
            {
                action(new Span<byte>((void*)pointer, Length));
            }
            finally
            {
                _ = LibSodium.sodium_mprotect_noaccess(pointer);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (pointer != 0)
            {
                // sodium_free wipes the memory before releasing it.
                LibSodium.sodium_free(pointer);
                pointer = 0;
            }
        }

        GC.SuppressFinalize(this);
    }

    ~GuardedBuffer()
    {
        if (pointer != 0)
        {
            LibSodium.sodium_free(pointer);
        }
    }

    public delegate void ReadOnlySpanAction(ReadOnlySpan<byte> secret);

    public delegate T ReadOnlySpanFunc<out T>(ReadOnlySpan<byte> secret);

    public delegate void SpanAction(Span<byte> secret);
}
