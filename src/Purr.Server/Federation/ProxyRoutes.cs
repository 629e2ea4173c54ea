using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>Where a client's RelayKeys or ProxyForward goes: this server itself, a link to a peer, or a refusal to answer with.</summary>
internal readonly record struct ProxyRoute(bool ToSelf, PeerLink? Link, ServerFrame? Refusal);

/// <summary>Resolves a client's destination against the federation policy and the links (the proxy's half).</summary>
internal sealed class ProxyRoutes(FederationPolicy policy, FederationLinks links, ServerIdentity identity)
{
    public async Task<ProxyRoute> ResolveAsync(string destination, CancellationToken cancellationToken)
    {
        if (!PurrAddress.TryParse(destination, out var address, out var error))
        {
            return Refused(Responses.InvalidArgument($"destination: {error}"));
        }

        if (ConstantTime.Equal(address.IdentityKey, identity.IdentityKey))
        {
            return new ProxyRoute(true, null, null);
        }

        if (policy.Refusal(address.IdentityKey) is { } refusal)
        {
            return Refused(Responses.Error(ErrorCode.PeerRefused, refusal));
        }

        // A link that is up goes to the host checked when it connected (whatever host this address names): no DNS
        // lookup for every packet. The address's own host is checked only when a link must be opened.
        if (links.UpOrNull(address.Fingerprint) is { } up)
        {
            return new ProxyRoute(false, up, null);
        }

        var check = await policy.CheckDestinationAsync(address, cancellationToken);
        if (check.Refusal is { } hostRefusal)
        {
            return Refused(Responses.Error(ErrorCode.PeerRefused, hostRefusal));
        }

        if (check.Unresolvable)
        {
            var unresolvable = Responses.Error(ErrorCode.RelayFailed, "the destination server's host name does not resolve");
            unresolvable.Error.RetryAfterMs = (uint)policy.Options.ReconnectDelay.TotalMilliseconds;
            return Refused(unresolvable);
        }

        try
        {
            return new ProxyRoute(false, await links.GetAsync(address, check.ConnectTo, cancellationToken), null);
        }
        catch (RelayFailure failure)
        {
            // A destination whose policy refuses this server's link answers like a policy here: PEER_REFUSED.
            var answer = failure.RefusedByPeer
                ? Responses.Error(ErrorCode.PeerRefused, $"the destination server does not take links from this one: {failure.Message}")
                : Responses.Error(ErrorCode.RelayFailed, $"the destination server cannot be reached through this one: {failure.Message}");
            answer.Error.RetryAfterMs = (uint)Math.Clamp(Math.Ceiling(failure.RetryAfter.TotalMilliseconds), 1, uint.MaxValue);
            return Refused(answer);
        }
    }

    public ServerKeys OwnKeys() => new()
    {
        X25519Key = ByteString.CopyFrom(identity.X25519Key),
        X25519Signature = ByteString.CopyFrom(identity.X25519Signature),
    };

    private static ProxyRoute Refused(ServerFrame refusal) => new(false, null, refusal);
}
