using System.Net;
using Purr.Protocol.V1;
using Purr.Server.Sessions;

namespace Purr.Server.Federation;

/// <summary>
/// The stand-in session one relayed request runs in: its "session nonce" is the packet's ephemeral key (which the
/// replay cache makes single-use), its address that of the link it came over. It cannot be pushed to; whatever a
/// module attaches to it (a room's live presence) is dropped when the request is done.
/// </summary>
internal sealed class RelayedSession(byte[] ephemeralKey, IPAddress linkAddress) : IClientSession
{
    public ReadOnlyMemory<byte> SessionNonce => ephemeralKey;

    public IPAddress RemoteAddress => linkAddress;

    public SessionFeatures Features { get; } = new();

    public bool TryPush(ServerFrame frame) => false;

    public bool TryPushEncoded(ReadOnlyMemory<byte> frame) => false;

    public void Abort()
    {
    }
}
