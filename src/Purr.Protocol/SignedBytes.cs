using System.Text;

namespace Purr.Protocol;

/// <summary>
/// The exact bytes behind every signature in protocol v1: an ASCII context string, a 0x00 byte,
/// then the fields named in PROTOCOL.md ("Signatures"). Distinct contexts keep a signature made
/// for one purpose from being accepted for another.
/// </summary>
public static class SignedBytes
{
    public const int NonceBytes = 32;

    public static readonly byte[] ServerHelloContext = Encoding.ASCII.GetBytes("purr/v1 server hello");
    public static readonly byte[] ServerX25519Context = Encoding.ASCII.GetBytes("purr/v1 server x25519");
    public static readonly byte[] RecipientRequestContext = Encoding.ASCII.GetBytes("purr/v1 recipient request");
    public static readonly byte[] SenderRequestContext = Encoding.ASCII.GetBytes("purr/v1 sender request");
    public static readonly byte[] MemberRequestContext = Encoding.ASCII.GetBytes("purr/v1 member request");
    public static readonly byte[] HandleRequestContext = Encoding.ASCII.GetBytes("purr/v1 handle request");
    public static readonly byte[] RoomMessageContext = Encoding.ASCII.GetBytes("purr/v1 room message");
    public static readonly byte[] ServerBroadcastContext = Encoding.ASCII.GetBytes("purr/v1 server broadcast");
    public static readonly byte[] TokenKeyContext = Encoding.ASCII.GetBytes("purr/v1 token key");
    public static readonly byte[] CreationTokenContext = Encoding.ASCII.GetBytes("purr/v1 creation token");
    public static readonly byte[] PeerHelloContext = Encoding.ASCII.GetBytes("purr/v1 peer hello");
    public static readonly byte[] ServerCatalogContext = Encoding.ASCII.GetBytes("purr/v1 server catalog");

    /// <summary>Signed by the server identity key: its catalog of peers (PROTOCOL.md 15.4), over the body's bytes as served.</summary>
    public static byte[] ServerCatalog(ReadOnlySpan<byte> body) => Concat(ServerCatalogContext, body, []);

    /// <summary>
    /// Signed by a connecting server's identity key on a federation link (PROTOCOL.md section 15): the listener's
    /// session nonce ‖ the connecting server's nonce ‖ the listener's identity key.
    /// </summary>
    public static byte[] PeerHello(ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> listenerKey) =>
        Concat(PeerHelloContext, [.. sessionNonce, .. peerNonce], listenerKey);

    /// <summary>Signed by the server identity key: proves the key's holder answers on this connection.</summary>
    public static byte[] ServerHello(ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> clientNonce) =>
        Concat(ServerHelloContext, sessionNonce, clientNonce);

    /// <summary>Signed by the server identity key: binds the server's X25519 key to it.</summary>
    public static byte[] ServerX25519(ReadOnlySpan<byte> x25519PublicKey) => Concat(ServerX25519Context, x25519PublicKey, []);

    /// <summary>Signed by a mailbox's recipient key; <paramref name="request"/> is ClientFrame.request as sent.</summary>
    public static byte[] RecipientRequest(ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> request) =>
        Concat(RecipientRequestContext, sessionNonce, request);

    /// <summary>Signed by a secured mailbox's sender key; <paramref name="request"/> is ClientFrame.request as sent.</summary>
    public static byte[] SenderRequest(ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> request) =>
        Concat(SenderRequestContext, sessionNonce, request);

    /// <summary>Signed by a room member key; <paramref name="request"/> is ClientFrame.request as sent.</summary>
    public static byte[] MemberRequest(ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> request) =>
        Concat(MemberRequestContext, sessionNonce, request);

    /// <summary>Signed by a room member key, checked by the server and by every member: room id ‖ whisper target (or nothing) ‖ ciphertext.</summary>
    /// <summary>What a contact address's key signs for a handle request (RegisterHandle, ReleaseHandle, SetListing).</summary>
    public static byte[] HandleRequest(ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> request) =>
        Concat(HandleRequestContext, sessionNonce, request);

    public static byte[] RoomMessage(ReadOnlySpan<byte> roomId, ReadOnlySpan<byte> to, ReadOnlySpan<byte> ciphertext) =>
        Concat(RoomMessageContext, [.. roomId, .. to], ciphertext);

    /// <summary>Signed by the server identity key: an operator's broadcast, over the BroadcastBody bytes as sent.</summary>
    public static byte[] ServerBroadcast(ReadOnlySpan<byte> body) => Concat(ServerBroadcastContext, body, []);

    /// <summary>Signed by the server identity key: the RSA key creation tokens are signed with (by its key id).</summary>
    public static byte[] TokenKey(ReadOnlySpan<byte> keyId) => Concat(TokenKeyContext, keyId, []);

    /// <summary>
    /// Not an Ed25519 input: the message a creation token's RSA blind signature covers (RFC 9474's msg): key id ‖ nonce.
    /// </summary>
    public static byte[] CreationToken(ReadOnlySpan<byte> keyId, ReadOnlySpan<byte> nonce) => Concat(CreationTokenContext, keyId, nonce);

    /// <summary>context ‖ 0x00 ‖ first ‖ second: the shape of every signed, MACed or derived input in the protocol.</summary>
    public static byte[] Concat(byte[] context, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var bytes = new byte[context.Length + 1 + first.Length + second.Length];
        context.CopyTo(bytes, 0);
        bytes[context.Length] = 0;
        first.CopyTo(bytes.AsSpan(context.Length + 1));
        second.CopyTo(bytes.AsSpan(context.Length + 1 + first.Length));
        return bytes;
    }
}
