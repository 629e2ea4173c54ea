namespace Purr.Server.Federation;

/// <summary>Kept on a connection once a peer server proved its key with PeerHello: the connection is a federation link.</summary>
internal sealed class PeerLinkState(byte[] peerKey)
{
    public byte[] PeerKey { get; } = peerKey;

    public string Fingerprint { get; } = Protocol.Base64Url.Encode(peerKey);
}
