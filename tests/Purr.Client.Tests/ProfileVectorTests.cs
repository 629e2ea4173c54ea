using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// A cross-implementation vector for the encrypted profile file (PROTOCOL.md section 9): the bytes built from
/// fixed inputs as the section says, the Argon2id key as an intermediate value, and both readers (this one and
/// the browser's) must open it to the same JSON. Committed as Vectors/profile-v1.json.
/// </summary>
public sealed class ProfileVectorTests
{
    private const string FileName = "profile-v1.json";
    private const string Passphrase = "correct horse battery staple";
    private const uint OpsLimit = 2;
    private const uint MemLimit = 64 * 1024;
    private static readonly byte[] Salt = [.. Enumerable.Range(0, 16).Select(i => (byte)(0x10 + i))];
    private static readonly byte[] Nonce = [.. Enumerable.Range(0, 24).Select(i => (byte)(0x30 + i))];
    private const string Json = """{"Version":1,"Server":"purr://c15hG8X_Ecb9L_BzECDafPk7Z8O0m0Vn7JGUWrCE6WA@127.0.0.1:7878","DisplayName":"Alice","Invites":[],"Contacts":[],"Rooms":[],"UsedCards":[]}""";

    [Fact]
    public void The_profile_file_is_built_as_documented_and_opens_to_its_json()
    {
        var key = new byte[32];
        Argon2id.DeriveKey(Encoding.UTF8.GetBytes(Passphrase), Salt, new Argon2Cost(OpsLimit, MemLimit), key);
        var header = new byte[8 + 1 + 16 + 4 + 4];
        "PURRPRF1"u8.CopyTo(header);
        header[8] = 1;
        Salt.CopyTo(header, 9);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(25), OpsLimit);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(29), MemLimit);
        byte[] file = [.. header, .. Nonce, .. Aead.XChaCha20Poly1305.Encrypt(key, Nonce, Encoding.UTF8.GetBytes(Json), header)];

        var generated = new JsonObject
        {
            ["description"] = "Purr profile file vector v1 (PROTOCOL.md section 9): file = \"PURRPRF1\" || 0x01 || salt || opsLimit (u32 BE) || "
                + "memLimit (u32 BE) || nonce || XChaCha20-Poly1305(key, nonce, json, ad = everything before the nonce), key = Argon2id v1.3.",
            ["passphrase"] = Passphrase,
            ["salt"] = Convert.ToHexStringLower(Salt),
            ["opsLimit"] = OpsLimit,
            ["memLimit"] = MemLimit,
            ["nonce"] = Convert.ToHexStringLower(Nonce),
            ["json"] = Json,
            ["key"] = Convert.ToHexStringLower(key),
            ["file"] = Convert.ToHexStringLower(file),
        };
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(path)), generated), "the profile vector changed");

        // The CLI's own reader opens the committed bytes.
        using var directory = new TemporaryDirectory();
        File.WriteAllBytes(Path.Combine(directory.Path, "profile.purr"), Convert.FromHexString(JsonNode.Parse(File.ReadAllText(path))!["file"]!.GetValue<string>()));
        var (_, data) = ProfileFile.Open(directory.Path, () => Passphrase);
        Assert.Equal("Alice", data.DisplayName);
        Assert.Throws<ProfileException>(() => ProfileFile.Open(directory.Path, () => "wrong"));
    }
}
