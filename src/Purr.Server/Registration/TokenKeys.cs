using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Purr.Crypto.BlindRsa;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Identity;

namespace Purr.Server.Registration;

/// <summary>
/// The RSA key that signs creation tokens blindly (policy "invite"): loaded from its file, or made on first
/// start and written owner-only beside the server identity. One key for every client, announced in every
/// ServerHello and signed by the server identity, so a client can tell it is the server's one key.
/// </summary>
internal sealed class TokenKeys
{
    public const string FileName = "registration-token.key";

    public TokenKeys(IOptions<RegistrationOptions> options, IConfiguration configuration, ServerIdentity identity)
    {
        if (options.Value.Policy != RegistrationPolicyKind.Invite)
        {
            return;
        }

        var path = Path.GetFullPath(options.Value.TokenKeyFile ?? Path.Combine(configuration["Data"] ?? "./data", FileName), Environment.CurrentDirectory);
        Key = LoadOrCreate(path, options.Value.TokenKeyBits);
        var publicKey = Key.PublicKey;
        Wire = new TokenKey
        {
            Modulus = ByteString.CopyFrom(publicKey.ModulusBigEndian),
            Exponent = ByteString.CopyFrom(publicKey.ExponentBigEndian),
            KeyId = ByteString.CopyFrom(publicKey.KeyId),
            Signature = ByteString.CopyFrom(identity.Sign(SignedBytes.TokenKey(publicKey.KeyId))),
        };
    }

    /// <summary>Null unless the policy is "invite".</summary>
    public BlindRsaPrivateKey? Key { get; }

    public TokenKey? Wire { get; }

    private static BlindRsaPrivateKey LoadOrCreate(string path, int bits)
    {
        if (File.Exists(path))
        {
            return BlindRsaPrivateKey.FromPkcs8(File.ReadAllBytes(path));
        }

        var key = BlindRsaPrivateKey.Generate(bits);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".new";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, options))
        {
            file.Write(key.ToPkcs8());
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: false);
        return key;
    }
}
