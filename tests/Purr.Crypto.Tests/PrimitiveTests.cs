using System.Text;

namespace Purr.Crypto.Tests;

public sealed class PrimitiveTests
{
    /// <summary>The packaged libsodium (1.0.22) is loaded, not Debian's 1.0.18: nothing to install beside the SDK.</summary>
    [Fact]
    public void The_libsodium_that_ships_with_the_build_is_loaded() => Assert.True(Sodium.Version >= new Version(1, 0, 20), $"loaded {Sodium.Version}");

    [Fact]
    public void Blake2b_matches_the_RFC_7693_abc_vector()
    {
        var hash = Blake2b.Hash(Encoding.ASCII.GetBytes("abc"), 64);
        Assert.Equal(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void Blake2b_refuses_bad_lengths()
    {
        Assert.Throws<ArgumentException>(() => Blake2b.Hash([1], new byte[8]));
        Assert.Throws<ArgumentException>(() => Blake2b.Hash([1], new byte[32], new byte[65]));
    }

    [Fact]
    public void Ed25519_key_pair_signs_and_verifies_and_rejects_a_changed_message()
    {
        using var pair = Ed25519KeyPair.Generate();
        var signature = pair.Sign("hello"u8);
        Assert.True(Ed25519.Verify(pair.PublicKey, "hello"u8, signature));
        Assert.False(Ed25519.Verify(pair.PublicKey, "hellO"u8, signature));
        Assert.False(Ed25519.Verify(pair.PublicKey.AsSpan(0, 31), "hello"u8, signature));
    }

    [Fact]
    public void Ed25519_seed_round_trips()
    {
        using var pair = Ed25519KeyPair.Generate();
        var seed = new byte[32];
        pair.CopySeed(seed);
        using var again = Ed25519KeyPair.FromSeed(seed);
        Assert.Equal(pair.PublicKey, again.PublicKey);
    }

    [Fact]
    public void X25519_key_pairs_agree()
    {
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        Assert.Equal(a.Agree(b.PublicKey), b.Agree(a.PublicKey));
        Assert.Null(a.Agree(new byte[32]));
    }

    [Fact]
    public void Lengths_are_checked_before_native_calls()
    {
        Assert.Throws<ArgumentException>(() => Ed25519.Sign(new byte[63], [], new byte[64]));
        Assert.Throws<ArgumentException>(() => X25519.TryAgree(new byte[31], new byte[32], new byte[32]));
        Assert.Throws<ArgumentException>(() => Aead.XChaCha20Poly1305.Encrypt(new byte[32], new byte[12], [], []));
        Assert.Throws<ArgumentException>(() => Kdf.HkdfSha256([1], [], [], Kdf.MaxOutputBytes + 1));
    }

    [Fact]
    public void Failed_decryption_zeroes_the_output()
    {
        var key = SecureRandom.Bytes(32);
        var nonce = SecureRandom.Bytes(24);
        var sealedBytes = Aead.XChaCha20Poly1305.Encrypt(key, nonce, "secret"u8, []);
        sealedBytes[0] ^= 1;
        var output = new byte[sealedBytes.Length - 16];
        output.AsSpan().Fill(0xAA);
        Assert.False(Aead.XChaCha20Poly1305.TryDecrypt(key, nonce, sealedBytes, [], output));
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Constant_time_comparison()
    {
        Assert.True(ConstantTime.Equal([1, 2, 3], [1, 2, 3]));
        Assert.False(ConstantTime.Equal([1, 2, 3], [1, 2, 4]));
        Assert.False(ConstantTime.Equal([1, 2, 3], [1, 2]));
        Assert.True(ConstantTime.Equal([], []));
    }

    [Fact]
    public void Guarded_buffer_holds_and_releases_a_secret()
    {
        var buffer = GuardedBuffer.From([9, 8, 7]);
        Assert.Equal(24, buffer.Read(s => s[0] + s[1] + s[2]));
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.Read(s => s[0]));
    }

    [Fact]
    public async Task Guarded_buffer_serves_readers_at_once_and_frees_only_after_the_last()
    {
        var buffer = GuardedBuffer.From([1, 2, 3, 4]);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var held = Task.Run(() => buffer.Read(s =>
        {
            inside.Set();
            release.Wait();
            return s[0] + s[1] + s[2] + s[3];
        }));
        inside.Wait();

        // Other readers get in while one is inside (the pages stay open for them) and see the secret.
        var others = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 200).Sum(_ => buffer.Read(s => s[3])))))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(others, sum => Assert.Equal(800, sum));

        // The free waits for the reader still inside, which reads intact memory.
        var disposed = Task.Run(buffer.Dispose);
        await Task.Delay(100);
        Assert.False(disposed.IsCompleted);
        release.Set();
        Assert.Equal(10, await held);
        await disposed;
        Assert.Throws<ObjectDisposedException>(() => buffer.Read(s => s[0]));
    }

    [Fact]
    public void Random_bytes_differ()
    {
        Assert.NotEqual(SecureRandom.Bytes(32), SecureRandom.Bytes(32));
    }
}
