using System.Security.Cryptography;
using System.Text;

namespace Purr.Crypto.Noise;

/// <summary>
/// The Noise handshake <c>Noise_NX_25519_ChaChaPoly_SHA256</c> (Noise Protocol Framework, revision 34): the
/// initiator knows nothing of the responder in advance; the responder sends its static key encrypted, and the
/// initiator decides from the payload whether to trust it. Two messages:
/// <code>
/// -> e
/// &lt;- e, ee, s, es
/// </code>
/// Checked against the Cacophony test vector for this protocol name. Purr runs it under the MQTT transport,
/// where the responder's payload carries the signature of the server's identity key over its static key.
/// </summary>
public sealed class NoiseNx
{
    public const string ProtocolName = "Noise_NX_25519_ChaChaPoly_SHA256";
    public const int KeyBytes = X25519.KeyBytes;

    /// <summary>Message 1 is the initiator's ephemeral key and its payload in clear.</summary>
    public const int FirstMessageOverhead = KeyBytes;

    /// <summary>Message 2: ephemeral key, encrypted static key (with tag), and the payload's tag.</summary>
    public const int SecondMessageOverhead = KeyBytes + KeyBytes + Aead.TagBytes + Aead.TagBytes;

    private readonly bool initiator;
    private readonly X25519KeyPair? staticKey;
    private readonly NoiseCipherState cipher = new();
    private X25519KeyPair? ephemeral;
    private byte[] chainingKey;
    private byte[] hash;
    private byte[]? remoteEphemeral;

    private NoiseNx(bool initiator, ReadOnlySpan<byte> prologue, X25519KeyPair? staticKey, X25519KeyPair? ephemeral)
    {
        this.initiator = initiator;
        this.staticKey = staticKey;
        this.ephemeral = ephemeral;
        // The name is exactly 32 bytes (HASHLEN), so h starts as the name itself.
        hash = Encoding.ASCII.GetBytes(ProtocolName);
        chainingKey = (byte[])hash.Clone();
        MixHash(prologue);
    }

    /// <summary>The responder's static key, known to the initiator once it read message 2.</summary>
    public byte[]? RemoteStaticKey { get; private set; }

    /// <summary>h after the handshake: a value both sides share, unique to this session.</summary>
    public byte[] HandshakeHash => (byte[])hash.Clone();

    /// <summary>The client side. <paramref name="ephemeral"/> is drawn fresh unless a test fixes it.</summary>
    public static NoiseNx Initiator(ReadOnlySpan<byte> prologue, X25519KeyPair? ephemeral = null) =>
        new(true, prologue, null, ephemeral);

    /// <summary>The server side, with its static X25519 key.</summary>
    public static NoiseNx Responder(ReadOnlySpan<byte> prologue, X25519KeyPair staticKey, X25519KeyPair? ephemeral = null) =>
        new(false, prologue, staticKey, ephemeral);

    /// <summary>Initiator: <c>-> e</c> with <paramref name="payload"/>.</summary>
    public byte[] WriteFirst(ReadOnlySpan<byte> payload)
    {
        Require(initiator);
        ephemeral ??= X25519KeyPair.Generate();
        MixHash(ephemeral.PublicKey);
        return [.. ephemeral.PublicKey, .. EncryptAndHash(payload)];
    }

    /// <summary>Responder: reads message 1; its payload, or null when it is malformed.</summary>
    public byte[]? ReadFirst(ReadOnlySpan<byte> message)
    {
        Require(!initiator);
        if (message.Length < KeyBytes)
        {
            return null;
        }

        remoteEphemeral = message[..KeyBytes].ToArray();
        MixHash(remoteEphemeral);
        return DecryptAndHash(message[KeyBytes..]);
    }

    /// <summary>Responder: <c>&lt;- e, ee, s, es</c> with <paramref name="payload"/>; null when a DH fails (a low-order key).</summary>
    public byte[]? WriteSecond(ReadOnlySpan<byte> payload)
    {
        Require(!initiator && remoteEphemeral is not null);
        ephemeral ??= X25519KeyPair.Generate();
        MixHash(ephemeral.PublicKey);
        if (!MixKey(ephemeral, remoteEphemeral!))
        {
            return null;
        }

        var encryptedStatic = EncryptAndHash(staticKey!.PublicKey);
        if (!MixKey(staticKey, remoteEphemeral!))
        {
            return null;
        }

        return [.. ephemeral.PublicKey, .. encryptedStatic, .. EncryptAndHash(payload)];
    }

    /// <summary>Initiator: reads message 2; its payload, or null when it does not authenticate or a key is bad.</summary>
    public byte[]? ReadSecond(ReadOnlySpan<byte> message)
    {
        Require(initiator && ephemeral is not null);
        if (message.Length < SecondMessageOverhead)
        {
            return null;
        }

        var responderEphemeral = message[..KeyBytes].ToArray();
        MixHash(responderEphemeral);
        if (!MixKey(ephemeral!, responderEphemeral))
        {
            return null;
        }

        var responderStatic = DecryptAndHash(message.Slice(KeyBytes, KeyBytes + Aead.TagBytes));
        if (responderStatic is null || !MixKey(ephemeral!, responderStatic))
        {
            return null;
        }

        var payload = DecryptAndHash(message[(KeyBytes + KeyBytes + Aead.TagBytes)..]);
        if (payload is not null)
        {
            RemoteStaticKey = responderStatic;
        }

        return payload;
    }

    /// <summary>The two transport cipher states after the handshake: (initiator to responder, responder to initiator).</summary>
    public (NoiseCipherState InitiatorToResponder, NoiseCipherState ResponderToInitiator) Split()
    {
        var keys = Hkdf(chainingKey, []);
        var split = (new NoiseCipherState(keys.AsSpan(0, 32)), new NoiseCipherState(keys.AsSpan(32, 32)));
        CryptographicOperations.ZeroMemory(keys);
        CryptographicOperations.ZeroMemory(chainingKey);
        return split;
    }

    private void MixHash(ReadOnlySpan<byte> data) => hash = SHA256.HashData([.. hash, .. data]);

    /// <summary>MixKey(DH(mine, theirs)); false when the DH output is all zeros (libsodium refuses low-order keys).</summary>
    private bool MixKey(X25519KeyPair mine, byte[] theirs)
    {
        var shared = mine.Agree(theirs);
        if (shared is null)
        {
            return false;
        }

        var output = Hkdf(chainingKey, shared);
        chainingKey = output[..32];
        cipher.InitializeKey(output.AsSpan(32, 32));
        CryptographicOperations.ZeroMemory(shared);
        CryptographicOperations.ZeroMemory(output);
        return true;
    }

    /// <summary>
    /// Noise's HKDF(ck, ikm) with two outputs, written as the spec writes it (section 4.3): the same as RFC 5869 with
    /// ck as the salt and no info, but it must also take an empty ikm (Split), which .NET's HKDF refuses.
    /// </summary>
    private static byte[] Hkdf(ReadOnlySpan<byte> chaining, ReadOnlySpan<byte> inputKey)
    {
        Span<byte> temp = stackalloc byte[Kdf.HashBytes];
        Kdf.HmacSha256(chaining, inputKey, temp);
        var output = new byte[2 * Kdf.HashBytes];
        Kdf.HmacSha256(temp, [0x01], output.AsSpan(0, Kdf.HashBytes));
        Span<byte> second = stackalloc byte[Kdf.HashBytes + 1];
        output.AsSpan(0, Kdf.HashBytes).CopyTo(second);
        second[^1] = 0x02;
        Kdf.HmacSha256(temp, second, output.AsSpan(Kdf.HashBytes));
        CryptographicOperations.ZeroMemory(temp);
        return output;
    }

    private byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = cipher.EncryptWithAd(hash, plaintext);
        MixHash(ciphertext);
        return ciphertext;
    }

    private byte[]? DecryptAndHash(ReadOnlySpan<byte> ciphertext)
    {
        var plaintext = cipher.DecryptWithAd(hash, ciphertext);
        if (plaintext is not null)
        {
            MixHash(ciphertext);
        }

        return plaintext;
    }

    private static void Require(bool state)
    {
        if (!state)
        {
            throw new InvalidOperationException("Noise NX message out of order for this side");
        }
    }
}
