using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Server.Identity;

/// <summary>
/// The server's long-term keys: an Ed25519 identity key (its fingerprint is in the server address)
/// and an X25519 key signed by it, for onion layers and server-to-server links.
/// </summary>
public sealed class ServerIdentity : IDisposable
{
    private readonly Ed25519KeyPair signing;
    private readonly X25519KeyPair agreement;

    internal ServerIdentity(Ed25519KeyPair signing, X25519KeyPair agreement)
    {
        this.signing = signing;
        this.agreement = agreement;
        X25519Signature = signing.Sign(SignedBytes.ServerX25519(agreement.PublicKey));
    }

    public byte[] IdentityKey => signing.PublicKey;

    public byte[] X25519Key => agreement.PublicKey;

    public byte[] X25519Signature { get; }

    /// <summary>The X25519 key pair itself: the static key of the MQTT transport's Noise handshake.</summary>
    internal X25519KeyPair AgreementKey => agreement;

    public string Fingerprint => Base64Url.Encode(IdentityKey);

    public byte[] Sign(ReadOnlySpan<byte> message) => signing.Sign(message);

    public void Dispose()
    {
        signing.Dispose();
        agreement.Dispose();
    }
}
