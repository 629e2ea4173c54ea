namespace Purr.Crypto.Tests;

/// <summary>
/// Every Wycheproof vector for the primitives Purr uses, accepted or rejected exactly as labelled.
/// "acceptable" X25519 cases are decided by one rule, stated in SECURITY.md: a zero shared secret
/// (low-order public key) is refused, every other acceptable case must compute the labelled secret.
/// </summary>
public sealed class WycheproofTests
{
    [Fact]
    public void X25519_vectors()
    {
        var checkedCount = 0;
        foreach (var (_, test) in WycheproofFile.Tests("x25519_test.json"))
        {
            var shared = new byte[32];
            var ok = X25519.TryAgree(test.Hex("private"), test.Hex("public"), shared);
            var expected = test.Hex("shared");
            switch (test.Result())
            {
                case "valid":
                    Assert.True(ok, test.Id());
                    Assert.Equal(expected, shared);
                    break;
                case "acceptable" when test.HasFlag("ZeroSharedSecret"):
                    Assert.False(ok, test.Id());
                    break;
                case "acceptable":
                    Assert.True(ok, test.Id());
                    Assert.Equal(expected, shared);
                    break;
                default:
                    Assert.False(ok && shared.AsSpan().SequenceEqual(expected), test.Id());
                    break;
            }

            checkedCount++;
        }

        Assert.Equal(518, checkedCount);
    }

    [Fact]
    public void Ed25519_vectors()
    {
        var checkedCount = 0;
        foreach (var (group, test) in WycheproofFile.Tests("ed25519_test.json"))
        {
            var publicKey = Convert.FromHexString(group.GetProperty("publicKey").GetProperty("pk").GetString()!);
            var valid = Ed25519.Verify(publicKey, test.Hex("msg"), test.Hex("sig"));
            Assert.True(valid == (test.Result() == "valid"), test.Id());
            checkedCount++;
        }

        Assert.Equal(151, checkedCount);
    }

    [Fact]
    public void XChaCha20Poly1305_vectors() => CheckAead(Aead.XChaCha20Poly1305, "xchacha20_poly1305_test.json", 315);

    [Fact]
    public void ChaCha20Poly1305_vectors() => CheckAead(Aead.ChaCha20Poly1305Ietf, "chacha20_poly1305_test.json", 325);

    [Fact]
    public void HkdfSha256_vectors()
    {
        var checkedCount = 0;
        foreach (var (_, test) in WycheproofFile.Tests("hkdf_sha256_test.json"))
        {
            var size = test.GetProperty("size").GetInt32();
            byte[]? output = null;
            try
            {
                output = Kdf.HkdfSha256(test.Hex("ikm"), test.Hex("salt"), test.Hex("info"), size);
            }
            catch (ArgumentException)
            {
            }

            if (test.Result() == "valid")
            {
                Assert.NotNull(output);
                Assert.Equal(test.Hex("okm"), output);
            }
            else
            {
                Assert.Null(output);
            }

            checkedCount++;
        }

        Assert.Equal(86, checkedCount);
    }

    private static void CheckAead(Aead aead, string file, int expectedCount)
    {
        var checkedCount = 0;
        foreach (var (_, test) in WycheproofFile.Tests(file))
        {
            var key = test.Hex("key");
            var nonce = test.Hex("iv");
            var aad = test.Hex("aad");
            var message = test.Hex("msg");
            var sealedBytes = test.Hex("ct").Concat(test.Hex("tag")).ToArray();
            byte[]? opened;
            byte[]? encrypted = null;
            try
            {
                opened = aead.Decrypt(key, nonce, sealedBytes, aad);
                encrypted = aead.Encrypt(key, nonce, message, aad);
            }
            catch (ArgumentException)
            {
                // Wrong key or nonce length: refused in managed code before any native call.
                opened = null;
            }

            if (test.Result() == "valid")
            {
                Assert.NotNull(opened);
                Assert.Equal(message, opened);
                Assert.Equal(sealedBytes, encrypted);
            }
            else
            {
                Assert.Null(opened);
            }

            checkedCount++;
        }

        Assert.Equal(expectedCount, checkedCount);
    }
}
