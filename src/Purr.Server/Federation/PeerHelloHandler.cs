using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Routing;

namespace Purr.Server.Federation;

/// <summary>
/// A server connecting as a federation peer proves its identity key (a signature over this connection's nonce) and,
/// where the two operators share one, the pre-shared key; the answer proves the key back. Whatever is refused gets
/// PEER_REFUSED with the reason, and the connection stays an ordinary client connection.
/// </summary>
internal sealed class PeerHelloHandler(FederationPolicy policy, ServerIdentity identity, FederationCounters counters, ILogger<PeerHelloHandler> logger) : IRequestHandler
{
    /// <summary>
    /// The reasons a listener gives, so a connecting server can repeat them in its own log: only these fixed texts
    /// (never what a peer chose to send) reach a log line.
    /// </summary>
    internal static readonly HashSet<string> KnownReasons =
    [
        "this connection is already a federation link", "the peer hello's signature does not verify",
        "this server does not federate (Federation:Mode is off)", "this server federates only with the servers on its allowlist",
        "this server shares no pre-shared key with yours", "this server requires a pre-shared key with yours", "the pre-shared key does not match",
    ];

    public Request.OpOneofCase Operation => Request.OpOneofCase.PeerHello;

    public ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken) => ValueTask.FromResult(Handle(context));

    private ServerFrame Handle(RequestContext context)
    {
        var hello = context.Request.PeerHello;
        if (context.Session.Features.Get<PeerLinkState>() is not null)
        {
            return Refused("this connection is already a federation link");
        }

        if (hello.ServerIdentityKey.Length != Ed25519.PublicKeyBytes || hello.PeerNonce.Length != SignedBytes.NonceBytes)
        {
            return Responses.InvalidArgument("server_identity_key and peer_nonce must be 32 bytes");
        }

        var peerKey = hello.ServerIdentityKey.Span;
        var signed = SignedBytes.PeerHello(context.Session.SessionNonce.Span, hello.PeerNonce.Span, identity.IdentityKey);
        if (!Ed25519.Verify(peerKey, signed, hello.Signature.Span))
        {
            return Refused("the peer hello's signature does not verify");
        }

        if (policy.Refusal(peerKey) is { } refusal)
        {
            return Refused(refusal);
        }

        var shared = policy.Peer(peerKey)?.PreSharedKey;
        if (shared is null && !hello.PskProof.IsEmpty)
        {
            return Refused("this server shares no pre-shared key with yours");
        }

        if (shared is not null)
        {
            if (hello.PskProof.IsEmpty)
            {
                return Refused("this server requires a pre-shared key with yours");
            }

            var expected = PeerProof.Compute(shared, PeerProof.Connecting, context.Session.SessionNonce.Span, hello.PeerNonce.Span, peerKey, identity.IdentityKey);
            if (!ConstantTime.Equal(expected, hello.PskProof.Span))
            {
                return Refused("the pre-shared key does not match");
            }
        }

        context.Session.Features.GetOrAdd(() => new PeerLinkState(hello.ServerIdentityKey.ToByteArray()));
        context.Session.SetRequestRate(policy.Options.LinkRequestsPerSecond);
        counters.LinkAccepted();
        FederationLog.LinkAccepted(logger);
        var accepted = new PeerAccepted
        {
            X25519Key = ByteString.CopyFrom(identity.X25519Key),
            X25519Signature = ByteString.CopyFrom(identity.X25519Signature),
        };
        if (shared is not null)
        {
            accepted.PskProof = ByteString.CopyFrom(
                PeerProof.Compute(shared, PeerProof.Listening, context.Session.SessionNonce.Span, hello.PeerNonce.Span, peerKey, identity.IdentityKey));
        }

        return new ServerFrame { PeerAccepted = accepted };
    }

    private ServerFrame Refused(string reason)
    {
        FederationLog.LinkRefused(logger, reason);
        return Responses.Error(ErrorCode.PeerRefused, reason);
    }
}
