using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>A server reached through a relay: its address and its X25519 key, checked against the key the address pins.</summary>
public sealed record RelayDestination(PurrAddress Address, byte[] X25519Key);

/// <summary>
/// Sign a relayed request: the packet's ephemeral key stands where the session nonce stands on a connection
/// (PROTOCOL.md section 15), then the exact request bytes.
/// </summary>
public delegate byte[] RelaySigner(ReadOnlySpan<byte> ephemeralKey, byte[] request);

/// <summary>
/// Requests relayed through this connection's server to another server (PROTOCOL.md section 15): this server learns
/// only which server, the other server only which proxy, and neither both this client's address and the mailbox.
/// </summary>
public sealed partial class PurrConnection
{
    /// <summary>The destination's X25519 key, fetched by this server over its link; throws unless the destination's pinned key signed it.</summary>
    public async Task<RelayDestination> RelayKeysAsync(PurrAddress destination, CancellationToken cancellationToken = default)
    {
        var keys = (await RequestAsync(new Request { RelayKeys = new RelayKeys { Destination = destination.ToString() } }, signer: null, cancellationToken)).ServerKeys;
        return Checked(destination, keys);
    }

    /// <summary>The X25519 key a relay gave for <paramref name="destination"/>, if the destination's pinned identity key signed it.</summary>
    private RelayDestination Checked(PurrAddress destination, ServerKeys keys)
    {
        if (keys.X25519Key.Length != X25519.KeyBytes
            || !Ed25519.Verify(destination.IdentityKey, SignedBytes.ServerX25519(keys.X25519Key.Span), keys.X25519Signature.Span))
        {
            throw new PurrServerKeyMismatchException(
                $"the key {Address.Host}:{Address.Port} gave for {destination.Host}:{destination.Port} is not signed by the key its address pins; refusing to relay");
        }

        return new RelayDestination(destination, keys.X25519Key.ToByteArray());
    }

    /// <summary>
    /// Seals one request to <paramref name="destination"/>, has this connection's server forward it, and returns the
    /// destination's answer. Errors the destination answers, and errors of the relay itself, are thrown as
    /// <see cref="PurrProtocolException"/>. With a <paramref name="route"/> of two or more servers (this connection's
    /// server first), the packet goes through them as an onion route (section 15.5) and the last one hands it on.
    /// </summary>
    public async Task<ServerFrame> ForwardAsync(
        RelayDestination destination, Request request, RelaySigner? signer = null, RelaySigner? mailboxSigner = null,
        IReadOnlyList<RelayDestination>? route = null, CancellationToken cancellationToken = default)
    {
        using var ephemeral = RelayPacket.NewEphemeral(SystemRandomSource.Instance);
        request.Id = 1;
        var bytes = request.ToByteArray();
        var relayed = new RelayedRequest { Request = ByteString.CopyFrom(bytes), SentAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
        if (signer is not null)
        {
            relayed.Signature = ByteString.CopyFrom(signer(ephemeral.PublicKey, bytes));
        }

        if (mailboxSigner is not null)
        {
            relayed.MailboxSignature = ByteString.CopyFrom(mailboxSigner(ephemeral.PublicKey, bytes));
        }

        var (packet, reply) = RelayPacket.Seal(destination.X25519Key, ephemeral, relayed.ToByteArray(), SystemRandomSource.Instance);
        var proxyForward = new Request { ProxyForward = new ProxyForward { Destination = destination.Address.ToString(), Packet = ByteString.CopyFrom(packet) } };
        var response = route is { Count: > 1 }
            ? await OnionRequestAsync(route, proxyForward, cancellationToken)
            : await RequestAsync(proxyForward, signer: null, cancellationToken);
        var opened = RelayPacket.OpenResponse(reply, response.RelayResult.Packet.Span)
            ?? throw new PurrConnectionException("the relayed answer does not open: the relay or the destination tampered with it");
        ServerFrame answer;
        try
        {
            answer = ServerFrame.Parser.ParseFrom(opened);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new PurrConnectionException("the relayed answer is malformed", e);
        }

        if (answer.BodyCase == ServerFrame.BodyOneofCase.Error)
        {
            throw new PurrProtocolException(answer.Error.Code, answer.Error.Detail, TimeSpan.FromMilliseconds(answer.Error.RetryAfterMs));
        }

        return answer;
    }

    /// <summary>Like <see cref="SendAsync"/>, relayed: sends ciphertext to a mailbox on <paramref name="destination"/>.</summary>
    public async Task<byte[]> SendRelayedAsync(
        RelayDestination destination, byte[] sendId, ReadOnlyMemory<byte> payload, Ed25519KeyPair? senderKey = null, byte[]? tag = null,
        IReadOnlyList<RelayDestination>? route = null, CancellationToken cancellationToken = default)
    {
        var send = new SendMessage { SendId = ByteString.CopyFrom(sendId), Payload = ByteString.CopyFrom(payload.Span) };
        if (tag is not null)
        {
            send.Tag = ByteString.CopyFrom(tag);
        }

        RelaySigner? signer = senderKey is null ? null : (nonce, bytes) => senderKey.Sign(SignedBytes.SenderRequest(nonce, bytes));
        var answer = await ForwardAsync(destination, new Request { SendMessage = send }, signer, mailboxSigner: null, route, cancellationToken);
        return answer.MessageAccepted.MessageId.ToByteArray();
    }
}
