using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Server.Identity;

/// <summary>
/// The server's long-term keys: an Ed25519 identity key (its fingerprint is in the server address)
/// and an X25519 key signed by it, for onion layers and server-to-server links; and the secret mailbox keys are
/// derived from (PROTOCOL.md 4, "Mailbox keys").
/// </summary>
public sealed class ServerIdentity : IDisposable
{
    private static readonly byte[] MailboxSecretContext = System.Text.Encoding.ASCII.GetBytes("purr/v1 mailbox secret");
    private static readonly byte[] MailboxKeyContext = System.Text.Encoding.ASCII.GetBytes("purr/v1 mailbox key");

    private readonly Ed25519KeyPair signing;
    private readonly X25519KeyPair agreement;

    /// <summary>
    /// BLAKE2b-256 keyed with the identity key's seed over "purr/v1 mailbox secret": derived, not stored, so every
    /// process that holds server.key (a restart, the nodes of a cluster) derives the same mailbox keys, and a new
    /// identity key (a new server, to its clients) gives new ones.
    /// </summary>
    private readonly GuardedBuffer mailboxSecret;

    internal ServerIdentity(Ed25519KeyPair signing, X25519KeyPair agreement)
    {
        this.signing = signing;
        this.agreement = agreement;
        X25519Signature = signing.Sign(SignedBytes.ServerX25519(agreement.PublicKey));
        var seed = new byte[Ed25519.SeedBytes];
        var secret = new byte[MailboxMacs.KeyBytes];
        try
        {
            signing.CopySeed(seed);
            Blake2b.Hash(MailboxSecretContext, secret, seed);
            mailboxSecret = GuardedBuffer.From(secret);
        }
        finally
        {
            ConstantTime.Zero(seed);
            ConstantTime.Zero(secret);
        }
    }

    public byte[] IdentityKey => signing.PublicKey;

    public byte[] X25519Key => agreement.PublicKey;

    public byte[] X25519Signature { get; }

    /// <summary>The X25519 key pair itself: the static key of the MQTT transport's Noise handshake.</summary>
    internal X25519KeyPair AgreementKey => agreement;

    public string Fingerprint => Base64Url.Encode(IdentityKey);

    public byte[] Sign(ReadOnlySpan<byte> message) => signing.Sign(message);

    /// <summary>
    /// The mailbox key of <paramref name="receiveId"/>: BLAKE2b-256 keyed with the mailbox secret over
    /// "purr/v1 mailbox key" ‖ 0x00 ‖ receive id. Any id has one, so deriving it says nothing of whether the mailbox exists.
    /// The caller zeroes it after use.
    /// </summary>
    public byte[] MailboxKey(ReadOnlySpan<byte> receiveId)
    {
        var input = SignedBytes.Concat(MailboxKeyContext, receiveId, []);
        var key = new byte[MailboxMacs.KeyBytes];
        mailboxSecret.Read(secret => Blake2b.Hash(input, key, secret));
        return key;
    }

    public void Dispose()
    {
        signing.Dispose();
        agreement.Dispose();
        mailboxSecret.Dispose();
    }
}
