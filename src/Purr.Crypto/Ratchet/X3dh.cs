using System.Text;

namespace Purr.Crypto.Ratchet;

/// <summary>
/// The X3DH key agreement (Signal, "The X3DH Key Agreement Protocol") over a rendezvous card instead
/// of a server-held prekey bundle. The card's prekey is used for one contact only (a card is accepted
/// once), so it plays the role of both signed and one-time prekey; there is no DH4.
/// Output: the Double Ratchet's shared secret SK and the two initial header keys.
/// With a post-quantum card this is Signal's PQXDH instead: the ML-KEM-768 shared secret SS (from an
/// encapsulation to the card's signed KEM prekey) is appended to the key material, KM = F ‖ DH1 ‖ DH2 ‖ DH3 ‖ SS,
/// under its own info string, so SK is safe if either X25519 or ML-KEM holds.
/// </summary>
public static class X3dh
{
    public static readonly byte[] Info = Encoding.ASCII.GetBytes("purr/v1 x3dh");
    public static readonly byte[] PqInfo = Encoding.ASCII.GetBytes("purr/v2 pqxdh X25519 SHA-256 ML-KEM-768");

    /// <summary>The acceptor of a card (the initiator of the session).</summary>
    public static SessionSecrets? Initiate(
        X25519KeyPair initiatorIdentity, X25519KeyPair initiatorEphemeral,
        ReadOnlySpan<byte> responderIdentity, ReadOnlySpan<byte> responderPrekey, byte[]? kemSecret = null)
    {
        var dh1 = initiatorIdentity.Agree(responderPrekey);
        var dh2 = initiatorEphemeral.Agree(responderIdentity);
        var dh3 = initiatorEphemeral.Agree(responderPrekey);
        return Derive(dh1, dh2, dh3, kemSecret);
    }

    /// <summary>The card's creator, on receiving the contact request.</summary>
    public static SessionSecrets? Respond(
        X25519KeyPair responderIdentity, X25519KeyPair responderPrekey,
        ReadOnlySpan<byte> initiatorIdentity, ReadOnlySpan<byte> initiatorEphemeral, byte[]? kemSecret = null)
    {
        var dh1 = responderPrekey.Agree(initiatorIdentity);
        var dh2 = responderIdentity.Agree(initiatorEphemeral);
        var dh3 = responderPrekey.Agree(initiatorEphemeral);
        return Derive(dh1, dh2, dh3, kemSecret);
    }

    private static SessionSecrets? Derive(byte[]? dh1, byte[]? dh2, byte[]? dh3, byte[]? kemSecret)
    {
        if (dh1 is null || dh2 is null || dh3 is null)
        {
            return null;
        }

        // KM = F || DH1 || DH2 || DH3 [|| SS] with F = 32 0xFF bytes (X3DH section 2.2, PQXDH section 3.3), salt = 32 zero bytes.
        var input = new byte[(32 * 4) + (kemSecret?.Length ?? 0)];
        input.AsSpan(0, 32).Fill(0xFF);
        dh1.CopyTo(input, 32);
        dh2.CopyTo(input, 64);
        dh3.CopyTo(input, 96);
        kemSecret?.CopyTo(input, 128);
        var output = Kdf.HkdfSha256(input, new byte[32], kemSecret is null ? Info : PqInfo, 96);
        ConstantTime.Zero(input);
        return new SessionSecrets(output[..32], output[32..64], output[64..]);
    }
}

/// <param name="SharedKey">SK, the first root key.</param>
/// <param name="InitiatorHeaderKey">shared_hka: the initiator's first sending header key.</param>
/// <param name="ResponderNextHeaderKey">shared_nhkb: the responder's first next sending header key.</param>
public sealed record SessionSecrets(byte[] SharedKey, byte[] InitiatorHeaderKey, byte[] ResponderNextHeaderKey);
