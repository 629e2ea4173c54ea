using System.Text;

namespace Purr.Crypto.Tests;

/// <summary>
/// Known answers for crypto_pwhash with Argon2id v1.3, from libsodium's own test suite
/// (test/default/pwhash_argon2id.c and its .exp file). The salt is the first 16 bytes of the hex given.
/// </summary>
public sealed class Argon2idKnownAnswerTests
{
    public static TheoryData<string, string, ulong, ulong, string> Vectors => new()
    {
        {
            "a347ae92bce9f80f6f595a4480fc9c2fe7e7d7148d371e9487d75f5c23008ffae065577a928febd9b1973a5a95073acdbeb6a030cfc0d79caa2dc5cd011cef02c08da232d76d52dfbca38ca8dcbd665b17d1665f7cf5fe59772ec909733b24de97d6f58d220b20c60d7c07ec1fd93c52c31020300c6c1facd77937a597c7a6",
            "5541fbc995d5c197ba290346d2c559de", 5, 7256678,
            "18acec5d6507739f203d1f5d9f1d862f7c2cdac4f19d2bdff64487e60d969e3ced615337b9eec6ac4461c6ca07f0939741e57c24d0005c7ea171a0ee1e7348249d135b38f222e4dad7b9a033ed83f5ca27277393e316582033c74affe2566a2bea47f91f0fd9fe49ece7e1f79f3ad6e9b23e0277c8ecc4b313225748dd2a80f5679534a0700e246a79a49b3f74eb89ec6205fe1eeb941c73b1fcf1"
        },
        {
            "4a857e2ee8aa9b6056f2424e84d24a72473378906ee04a46cb05311502d5250b82ad86b83c8f20a23dbb74f6da60b0b6ecffd67134d45946ac8ebfb3064294bc097d43ced68642bfb8bbbdd0f50b30118f5e",
            "39d82eef32010b8b79cc5ba88ed539fb", 3, 1432947,
            "08d8cd330c57e1b4643241d05bb468ba4ee4e932cd0858816be9ef15360b27bbd06a87130ee92222be267a29b81f5ae8fe8613324cfc4832dc49387fd0602f1c57b4d0f3855db94fb7e12eb05f9a484aed4a4307abf586cd3d55c809bc081541e00b682772fb2066504ff935b8ebc551a2083882f874bc0fae68e56848ae34c91097c3bf0cca8e75c0797eef3efde3f75e005815018db3cf7c109a812264c4de69dcb22322dbbcfa447f5b00ecd1b04a7be1569c8e556adb7bba48adf81d"
        },
        {
            "b540beb016a5366524d4605156493f9874514a5aa58818cd0c6dfffaa9e90205f17b",
            "44071f6d181561670bda728d43fb79b4", 1, 1631659,
            "7fb72409b0987f8190c3729710e98c3f80c5a8727d425fdcde7f3644d467fe973f5b5fee683bd3fce812cb9ae5e9921a2d06c2f1905e4e839692f2b934b682f11a2fe2b90482ea5dd234863516dba6f52dc0702d324ec77d860c2e181f84472bd7104fedce071ffa93c5309494ad51623d214447a7b2b1462dc7d5d55a1f6fd5b54ce024118d86f0c6489d16545aaa87b6689dad9f2fb47fda9894f8e12b87d978b483ccd4cc5fd9595cdc7a818452f915ce2f7df95ec12b1c72e3788d473441d884f9748eb14703c21b45d82fd667b85f5b2d98c13303b3fe76285531a826b6fc0fe8e3dddecf"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Derives_libsodiums_known_answer(string passwordHex, string saltHex, ulong ops, ulong memory, string expectedHex)
    {
        var expected = Convert.FromHexString(expectedHex);
        var output = new byte[expected.Length];
        Argon2id.DeriveKey(Convert.FromHexString(passwordHex), Convert.FromHexString(saltHex), new Argon2Cost(ops, memory), output);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Refuses_output_shorter_than_16_bytes_before_calling_libsodium()
    {
        var output = new byte[5];
        Assert.Throws<ArgumentException>(() =>
            Argon2id.DeriveKey(Encoding.UTF8.GetBytes("pw"), new byte[16], new Argon2Cost(4, 1397645), output));
    }

    [Fact]
    public void Refuses_a_salt_of_the_wrong_length()
    {
        Assert.Throws<ArgumentException>(() =>
            Argon2id.DeriveKey(Encoding.UTF8.GetBytes("pw"), new byte[8], new Argon2Cost(2, 65536), new byte[32]));
    }
}
