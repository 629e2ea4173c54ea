using System.Security.Cryptography;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>
/// Onion routes (PROTOCOL.md section 15.5): a request goes through up to five servers, this connection's server first,
/// each of which learns only the server before it and the one after; the last one acts as this client's proxy.
/// </summary>
public sealed partial class PurrConnection
{
    /// <summary>
    /// <paramref name="destination"/>'s X25519 key, asked of the last server of <paramref name="route"/> (through the
    /// route), or of this connection's server when the route has one server or none; checked against the pinned key.
    /// </summary>
    public async Task<RelayDestination> RelayKeysAsync(
        IReadOnlyList<RelayDestination> route, PurrAddress destination, CancellationToken cancellationToken = default)
    {
        if (route.Count <= 1)
        {
            return await RelayKeysAsync(destination, cancellationToken);
        }

        var answer = await OnionRequestAsync(route, new Request { RelayKeys = new RelayKeys { Destination = destination.ToString() } }, cancellationToken);
        return Checked(destination, answer.ServerKeys);
    }

    /// <summary>
    /// Sends <paramref name="exitRequest"/> (RelayKeys, ProxyForward or Ping) through <paramref name="route"/>, whose
    /// first server is this connection's, and returns the last server's answer. An error any server of the route
    /// answers is thrown as <see cref="PurrProtocolException"/> naming which server; an answer that opens under no
    /// hop's key means a server on the route changed it.
    /// </summary>
    public async Task<ServerFrame> OnionRequestAsync(IReadOnlyList<RelayDestination> route, Request exitRequest, CancellationToken cancellationToken = default)
    {
        if (route.Count is < 1 or > OnionPacket.MaxHops)
        {
            throw new ArgumentException($"an onion route has 1 to {OnionPacket.MaxHops} servers", nameof(route));
        }

        exitRequest.Id = 1;
        var secret = RandomNumberGenerator.GetBytes(X25519.KeyBytes);
        byte[] packet;
        OnionReplyKeys keys;
        try
        {
            (packet, keys) = OnionPacket.Build(
                [.. route.Select(h => h.X25519Key)], [.. route.Skip(1).Select(h => h.Address.ToString())], exitRequest.ToByteArray(),
                DateTimeOffset.UtcNow.ToUnixTimeSeconds(), secret, SystemRandomSource.Instance);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        var response = await RequestAsync(new Request { OnionForward = new OnionForward { Packet = ByteString.CopyFrom(packet) } }, signer: null, cancellationToken);
        var opened = OnionPacket.OpenReply(keys, response.OnionResult.Reply.Span)
            ?? throw new PurrConnectionException("the route's answer does not open: a server on the route changed it");
        ServerFrame answer;
        try
        {
            answer = ServerFrame.Parser.ParseFrom(opened.Message);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new PurrConnectionException("the route's answer is malformed", e);
        }

        if (answer.BodyCase == ServerFrame.BodyOneofCase.Error)
        {
            var where = opened.Hop == route.Count - 1 ? "the last server of the route" : $"server {opened.Hop + 1} of the route ({route[opened.Hop].Address.Host})";
            throw new PurrProtocolException(answer.Error.Code, $"{where}: {answer.Error.Detail}", TimeSpan.FromMilliseconds(answer.Error.RetryAfterMs));
        }

        return answer;
    }
}
