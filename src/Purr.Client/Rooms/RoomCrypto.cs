using System.Text;
using Purr.Crypto;
using Purr.Crypto.Ratchet;

namespace Purr.Client.Rooms;

/// <summary>
/// Room content encryption. Group messages: key id (8) ‖ nonce (24) ‖ XChaCha20-Poly1305(room key,
/// padded plaintext, ad = "purr/v1 room" ‖ 0x00 ‖ room id ‖ key id). Sealed to one member (whispers,
/// key updates): ephemeral X25519 public (32) ‖ XChaCha20-Poly1305 with key ‖ nonce =
/// HKDF-SHA256(DH(ephemeral, member), salt 0×32, info "purr/v1 room seal" ‖ room id, 56), ad = room id.
/// Member profiles (the name a member joined with, given to the server at create or join and handed to every
/// member as is): nonce (24) ‖ XChaCha20-Poly1305(the link's room key, padded RoomPlaintext, ad = "purr/v1 room
/// member" ‖ 0x00 ‖ member key), so anyone holding the link can read it and the server can neither read it nor
/// move it to another member. Join tags (what a room's ban list holds, hashed again by the server):
/// BLAKE2b-256(key = the profile's tag secret, "purr/v1 room join tag" ‖ 0x00 ‖ the link's room key).
/// </summary>
public static class RoomCrypto
{
    public const int KeyIdBytes = 8;
    private const int NonceBytes = 24;
    private static readonly byte[] GroupContext = Encoding.ASCII.GetBytes("purr/v1 room");
    private static readonly byte[] SealContext = Encoding.ASCII.GetBytes("purr/v1 room seal");
    private static readonly byte[] PqSealContext = Encoding.ASCII.GetBytes("purr/v2 room seal");
    private static readonly byte[] ProfileContext = Encoding.ASCII.GetBytes("purr/v1 room member");
    private static readonly byte[] JoinTagContext = Encoding.ASCII.GetBytes("purr/v1 room join tag");

    public const int JoinTagBytes = 32;

    /// <summary>
    /// This profile's join tag for a room: the same every time it joins the room (so a ban holds), different in every
    /// room (so tags link nothing), and worthless without the secret. Keyed by the link's key, which never changes
    /// (a kick changes the join secret, not the key in the link), and which a creator knows before the server names the room.
    /// </summary>
    public static byte[] JoinTag(ReadOnlySpan<byte> tagSecret, ReadOnlySpan<byte> linkKey)
    {
        var tag = new byte[JoinTagBytes];
        Blake2b.Hash([.. JoinTagContext, 0, .. linkKey], tag, tagSecret);
        return tag;
    }

    public static byte[] EncryptGroup(byte[] roomId, byte[] keyId, byte[] key, ReadOnlySpan<byte> plaintext, IRandomSource random)
    {
        var nonce = new byte[NonceBytes];
        random.Fill(nonce);
        var sealedBytes = Aead.XChaCha20Poly1305.Encrypt(key, nonce, Padding.Pad(plaintext), GroupAd(roomId, keyId));
        return [.. keyId, .. nonce, .. sealedBytes];
    }

    public static byte[]? DecryptGroup(byte[] roomId, ReadOnlySpan<byte> ciphertext, Func<byte[], byte[]?> keyFor)
    {
        if (ciphertext.Length < KeyIdBytes + NonceBytes + Aead.TagBytes)
        {
            return null;
        }

        var keyId = ciphertext[..KeyIdBytes].ToArray();
        var key = keyFor(keyId);
        if (key is null)
        {
            return null;
        }

        var padded = Aead.XChaCha20Poly1305.Decrypt(key, ciphertext.Slice(KeyIdBytes, NonceBytes), ciphertext[(KeyIdBytes + NonceBytes)..], GroupAd(roomId, keyId));
        return padded is null ? null : Padding.Unpad(padded);
    }

    public static byte[] Seal(byte[] roomId, byte[] memberDhKey, ReadOnlySpan<byte> plaintext, IRandomSource random)
    {
        var secret = new byte[X25519.KeyBytes];
        random.Fill(secret);
        using var ephemeral = X25519KeyPair.FromSecret(secret);
        var shared = ephemeral.Agree(memberDhKey) ?? throw new ArgumentException("the member's key is invalid", nameof(memberDhKey));
        var (key, nonce) = SealKey(roomId, shared);
        return [.. ephemeral.PublicKey, .. Aead.XChaCha20Poly1305.Encrypt(key, nonce, Padding.Pad(plaintext), roomId)];
    }

    public static byte[]? Open(byte[] roomId, X25519KeyPair myDhKey, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < X25519.KeyBytes + Aead.TagBytes)
        {
            return null;
        }

        var shared = myDhKey.Agree(sealedBytes[..X25519.KeyBytes]);
        if (shared is null)
        {
            return null;
        }

        var (key, nonce) = SealKey(roomId, shared);
        var padded = Aead.XChaCha20Poly1305.Decrypt(key, nonce, sealedBytes[X25519.KeyBytes..], roomId);
        return padded is null ? null : Padding.Unpad(padded);
    }

    /// <summary>
    /// The hybrid seal of a room key to a member who gave an ML-KEM-768 key: ephemeral X25519 and an encapsulation
    /// to that key, key ‖ nonce = HKDF(DH ‖ SS, "purr/v2 room seal" ‖ room id), ad = room id ‖ KEM ciphertext.
    /// </summary>
    public static (byte[] Sealed, byte[] KemCiphertext) SealHybrid(
        byte[] roomId, byte[] memberDhKey, byte[] memberKemKey, ReadOnlySpan<byte> plaintext, IRandomSource random)
    {
        var secret = new byte[X25519.KeyBytes];
        random.Fill(secret);
        using var ephemeral = X25519KeyPair.FromSecret(secret);
        var shared = ephemeral.Agree(memberDhKey) ?? throw new ArgumentException("the member's key is invalid", nameof(memberDhKey));
        var (ciphertext, kemSecret) = MlKem768.Encapsulate(memberKemKey, random)
            ?? throw new ArgumentException("the member's ML-KEM key is invalid", nameof(memberKemKey));
        var (key, nonce) = PqSealKey(roomId, shared, kemSecret);
        return ([.. ephemeral.PublicKey, .. Aead.XChaCha20Poly1305.Encrypt(key, nonce, Padding.Pad(plaintext), [.. roomId, .. ciphertext])], ciphertext);
    }

    public static byte[]? OpenHybrid(byte[] roomId, X25519KeyPair myDhKey, byte[] myKemSeed, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> kemCiphertext)
    {
        if (sealedBytes.Length < X25519.KeyBytes + Aead.TagBytes || myDhKey.Agree(sealedBytes[..X25519.KeyBytes]) is not { } shared
            || MlKem768.Decapsulate(myKemSeed, kemCiphertext) is not { } kemSecret)
        {
            return null;
        }

        var (key, nonce) = PqSealKey(roomId, shared, kemSecret);
        var padded = Aead.XChaCha20Poly1305.Decrypt(key, nonce, sealedBytes[X25519.KeyBytes..], [.. roomId, .. kemCiphertext]);
        return padded is null ? null : Padding.Unpad(padded);
    }

    public static byte[] SealProfile(byte[] linkKey, byte[] memberKey, ReadOnlySpan<byte> plaintext, IRandomSource random)
    {
        var nonce = new byte[NonceBytes];
        random.Fill(nonce);
        return [.. nonce, .. Aead.XChaCha20Poly1305.Encrypt(linkKey, nonce, Padding.Pad(plaintext), ProfileAd(memberKey))];
    }

    public static byte[]? OpenProfile(byte[] linkKey, ReadOnlySpan<byte> memberKey, ReadOnlySpan<byte> sealedProfile)
    {
        if (sealedProfile.Length < NonceBytes + Aead.TagBytes)
        {
            return null;
        }

        var padded = Aead.XChaCha20Poly1305.Decrypt(linkKey, sealedProfile[..NonceBytes], sealedProfile[NonceBytes..], ProfileAd(memberKey));
        return padded is null ? null : Padding.Unpad(padded);
    }

    private static byte[] ProfileAd(ReadOnlySpan<byte> memberKey) => [.. ProfileContext, 0, .. memberKey];

    private static byte[] GroupAd(byte[] roomId, byte[] keyId) => [.. GroupContext, 0, .. roomId, .. keyId];

    private static (byte[] Key, byte[] Nonce) PqSealKey(byte[] roomId, byte[] shared, byte[] kemSecret)
    {
        var output = Kdf.HkdfSha256([.. shared, .. kemSecret], new byte[32], [.. PqSealContext, .. roomId], Aead.KeyBytes + NonceBytes);
        return (output[..Aead.KeyBytes], output[Aead.KeyBytes..]);
    }

    private static (byte[] Key, byte[] Nonce) SealKey(byte[] roomId, byte[] shared)
    {
        var output = Kdf.HkdfSha256(shared, new byte[32], [.. SealContext, .. roomId], Aead.KeyBytes + NonceBytes);
        return (output[..Aead.KeyBytes], output[Aead.KeyBytes..]);
    }
}
