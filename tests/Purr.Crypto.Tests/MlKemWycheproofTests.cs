namespace Purr.Crypto.Tests;

/// <summary>
/// Wycheproof's ML-KEM-768 vectors: key generation from a seed, encapsulation with a fixed message
/// (including encapsulation keys that fail the modulus check), and decapsulation (including the
/// implicit-rejection cases and keys or ciphertexts of the wrong length).
/// </summary>
public sealed class MlKemWycheproofTests
{
    [Fact]
    public void Key_generation_from_a_seed()
    {
        var checkedCount = 0;
        foreach (var (_, test) in WycheproofFile.Tests("mlkem_768_keygen_seed_test.json"))
        {
            Assert.Equal("valid", test.Result());
            var seed = test.Hex("seed");
            Assert.Equal(test.Hex("ek"), MlKem768.PublicKeyFromSeed(seed));
            Assert.Equal(test.Hex("dk"), MlKem768.DecapsulationKeyFromSeed(seed));
            checkedCount++;
        }

        Assert.Equal(100, checkedCount);
    }

    [Fact]
    public void Encapsulation_with_a_fixed_message()
    {
        var checkedCount = 0;
        foreach (var (_, test) in WycheproofFile.Tests("mlkem_768_encaps_test.json"))
        {
            var result = MlKem768.Encapsulate(test.Hex("ek"), new FixedRandom(test.Hex("m")));
            if (test.Result() == "valid")
            {
                Assert.True(result is not null, test.Id());
                Assert.Equal(test.Hex("c"), result.Value.Ciphertext);
                Assert.Equal(test.Hex("K"), result.Value.SharedSecret);
            }
            else
            {
                Assert.True(result is null, test.Id());
            }

            checkedCount++;
        }

        Assert.Equal(265, checkedCount);
    }

    [Fact]
    public void Decapsulation()
    {
        var checkedCount = 0;
        foreach (var (_, test) in WycheproofFile.Tests("mlkem_768_test.json"))
        {
            var seed = test.Hex("seed");
            var ciphertext = test.Hex("c");
            if (test.Result() == "valid")
            {
                if (test.TryGetProperty("ek", out var ek))
                {
                    Assert.Equal(Convert.FromHexString(ek.GetString()!), MlKem768.PublicKeyFromSeed(seed));
                }

                Assert.Equal(test.Hex("K"), MlKem768.Decapsulate(seed, ciphertext));
            }
            else
            {
                // A seed or ciphertext of the wrong length: refused, never a secret.
                var refused = seed.Length != MlKem768.SeedBytes || MlKem768.Decapsulate(seed, ciphertext) is null;
                Assert.True(refused, test.Id());
            }

            checkedCount++;
        }

        Assert.Equal(193, checkedCount);
    }

    [Fact]
    public void A_round_trip_agrees_and_a_changed_ciphertext_does_not()
    {
        var seed = new byte[MlKem768.SeedBytes];
        SecureRandom.Fill(seed);
        var (ciphertext, secret) = MlKem768.Encapsulate(MlKem768.PublicKeyFromSeed(seed), SystemRandomSource.Instance)!.Value;
        Assert.Equal(secret, MlKem768.Decapsulate(seed, ciphertext));
        ciphertext[100] ^= 1;
        Assert.NotEqual(secret, MlKem768.Decapsulate(seed, ciphertext));
        Assert.Null(MlKem768.Decapsulate(seed, ciphertext.AsSpan(1).ToArray()));
    }

    private sealed class FixedRandom(byte[] bytes) : IRandomSource
    {
        public void Fill(Span<byte> buffer) => bytes.AsSpan(0, buffer.Length).CopyTo(buffer);
    }
}
