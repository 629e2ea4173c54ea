namespace Purr.Crypto;

/// <summary>
/// Where protocol code gets its randomness. Production uses libsodium's CSPRNG; the cross-implementation
/// test vectors inject a seeded source so the C# and browser clients can be compared byte for byte.
/// </summary>
public interface IRandomSource
{
    void Fill(Span<byte> buffer);
}

public sealed class SystemRandomSource : IRandomSource
{
    public static readonly SystemRandomSource Instance = new();

    public void Fill(Span<byte> buffer) => SecureRandom.Fill(buffer);
}
