using Purr.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Federation;
using Purr.Server.Transport;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Relayed connections (PROTOCOL.md 15.6): a client reaches a mailbox on another server through its own, subscribes
/// and is pushed to as on a direct connection, and the other server gets no connection from the client at all.
/// </summary>
public sealed class TunnelTests
{
    private static readonly Dictionary<string, string> Federating = new()
    {
        ["Federation:Mode"] = "open",
        ["Federation:AllowPrivateAddresses"] = "true",
    };

    [Fact]
    public async Task A_subscription_through_the_home_server_is_pushed_to_and_acked_and_the_destination_sees_only_the_link()
    {
        await using var home = await RunningServer.StartAsync(settings: Federating);
        await using var other = await RunningServer.StartAsync(settings: Federating);
        await using var homeConnection = await home.ConnectAsync();
        await using var relayed = await PurrConnection.ConnectThroughAsync(homeConnection, other.Address);
        using var recipient = Ed25519KeyPair.Generate();
        var mailbox = await relayed.CreateMailboxAsync(recipient);
        await relayed.SubscribeAsync(mailbox.ReceiveId, recipient);

        // On the other server: one connection (the link from the home server), one tunnel session inside it.
        Assert.Equal(1, other.Services.GetRequiredService<ConnectionAdmission>().Open);
        Assert.Equal(1, other.Services.GetRequiredService<TunnelEndpoint>().Serving);
        Assert.Equal(1, home.Services.GetRequiredService<TunnelProxy>().Carrying);

        await using (var sender = await other.ConnectAsync())
        {
            await sender.SendAsync(mailbox.SendId, "first"u8.ToArray());
            await sender.SendAsync(mailbox.SendId, "second"u8.ToArray());
        }

        var first = await relayed.NextAsync<MessageReceived>();
        Assert.Equal("first"u8.ToArray(), first.Payload);
        await relayed.AckAsync(mailbox.ReceiveId, first.MessageId, recipient);
        var second = await relayed.NextAsync<MessageReceived>();
        Assert.Equal("second"u8.ToArray(), second.Payload);
        await relayed.AckAsync(mailbox.ReceiveId, second.MessageId, recipient);
        Assert.Null(await relayed.FetchAsync(mailbox.ReceiveId, recipient));

        // Frames near the tunnel's frame limit pass both ways.
        var limit = (int)relayed.Hello.Limits.MaxMessageBytes;
        await relayed.SendAsync(mailbox.SendId, new byte[limit]);
        Assert.Equal(limit, (await relayed.NextAsync<MessageReceived>()).Payload.Length);

        await relayed.DisposeAsync();
        await WaitUntilAsync(() => other.Services.GetRequiredService<TunnelEndpoint>().Serving == 0);
        await WaitUntilAsync(() => home.Services.GetRequiredService<TunnelProxy>().Carrying == 0);
        Assert.True(homeConnection.IsOpen);
    }

    [Fact]
    public async Task A_server_that_cannot_prove_the_pinned_key_is_refused_and_a_home_that_does_not_relay_says_so()
    {
        await using var home = await RunningServer.StartAsync(settings: Federating);
        await using var other = await RunningServer.StartAsync(settings: Federating);
        await using var homeConnection = await home.ConnectAsync();
        using var stranger = Ed25519KeyPair.Generate();
        var impostor = other.Address with { IdentityKey = stranger.PublicKey };

        // The home server links to the address's key, so a key that does not match never gets that far: the link is refused.
        var refused = await Assert.ThrowsAnyAsync<PurrClientException>(() => PurrConnection.ConnectThroughAsync(homeConnection, impostor));
        Assert.True(refused is PurrProtocolException { Code: ErrorCode.RelayFailed } or PurrServerKeyMismatchException, refused.ToString());

        await using var closed = await RunningServer.StartAsync();
        await using var closedConnection = await closed.ConnectAsync();
        var off = await Assert.ThrowsAsync<PurrProtocolException>(() => PurrConnection.ConnectThroughAsync(closedConnection, other.Address));
        Assert.Equal(ErrorCode.PeerRefused, off.Code);

        var self = await Assert.ThrowsAsync<PurrProtocolException>(() => PurrConnection.ConnectThroughAsync(homeConnection, home.Address));
        Assert.Equal(ErrorCode.InvalidArgument, self.Code);
        Assert.True(homeConnection.IsOpen);
    }

    [Fact]
    public async Task The_tunnel_limit_per_connection_holds_and_frees_when_a_tunnel_closes()
    {
        var limited = new Dictionary<string, string>(Federating) { ["Federation:MaxTunnelsPerConnection"] = "2" };
        await using var home = await RunningServer.StartAsync(settings: limited);
        await using var other = await RunningServer.StartAsync(settings: Federating);
        await using var homeConnection = await home.ConnectAsync();
        var one = await PurrConnection.ConnectThroughAsync(homeConnection, other.Address);
        await using var two = await PurrConnection.ConnectThroughAsync(homeConnection, other.Address);
        var third = await Assert.ThrowsAsync<PurrProtocolException>(() => PurrConnection.ConnectThroughAsync(homeConnection, other.Address));
        Assert.Equal(ErrorCode.RateLimited, third.Code);
        Assert.Contains("MaxTunnelsPerConnection", third.Detail, StringComparison.Ordinal);

        // Each tunnel is its own session on the other server: separate nonces, separate subscriptions.
        Assert.False(one.SessionNonce.Span.SequenceEqual(two.SessionNonce.Span));
        await one.DisposeAsync();
        await WaitUntilAsync(() => home.Services.GetRequiredService<TunnelProxy>().Carrying == 1);
        await using var again = await PurrConnection.ConnectThroughAsync(homeConnection, other.Address);
        await again.PingAsync();
    }

    [Fact]
    public async Task When_the_destination_goes_the_relayed_connection_ends_and_the_home_connection_stays()
    {
        await using var home = await RunningServer.StartAsync(settings: Federating);
        var other = await RunningServer.StartAsync(settings: Federating);
        await using var homeConnection = await home.ConnectAsync();
        await using var relayed = await PurrConnection.ConnectThroughAsync(homeConnection, other.Address);
        await relayed.PingAsync();

        await other.DisposeAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await foreach (var _ in relayed.Events.ReadAllAsync(wait.Token))
        {
        }

        Assert.False(relayed.IsOpen);
        await Assert.ThrowsAsync<PurrConnectionException>(() => relayed.PingAsync());
        await homeConnection.PingAsync();
        await WaitUntilAsync(() => home.Services.GetRequiredService<TunnelProxy>().Carrying == 0);
    }

    [Fact]
    public async Task Tunnel_requests_with_bad_ids_handshakes_or_on_a_link_are_refused_and_change_nothing()
    {
        await using var home = await RunningServer.StartAsync(settings: Federating);
        await using var other = await RunningServer.StartAsync(settings: Federating);
        await using var connection = await home.ConnectAsync();
        var handshake = Google.Protobuf.ByteString.CopyFrom(new byte[32]);

        async Task<ErrorCode> RefusalAsync(Request request) =>
            (await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RequestAsync(request, signer: null))).Code;

        Assert.Equal(ErrorCode.InvalidArgument, await RefusalAsync(new Request { TunnelOpen = new TunnelOpen { TunnelId = 0, Destination = other.Address.ToString(), Handshake = handshake } }));
        Assert.Equal(ErrorCode.InvalidArgument, await RefusalAsync(new Request { TunnelOpen = new TunnelOpen { TunnelId = 1, Destination = other.Address.ToString(), Handshake = Google.Protobuf.ByteString.CopyFrom(new byte[31]) } }));
        Assert.Equal(ErrorCode.InvalidArgument, await RefusalAsync(new Request { TunnelOpen = new TunnelOpen { TunnelId = 1, Handshake = handshake } }));
        Assert.Equal(ErrorCode.InvalidArgument, await RefusalAsync(new Request { TunnelOpen = new TunnelOpen { TunnelId = 1, Destination = "purr://nonsense", Handshake = handshake } }));
        Assert.Equal(ErrorCode.InvalidArgument, await RefusalAsync(new Request { TunnelSend = new TunnelSend { TunnelId = 7, Data = handshake } }));

        // Closing a tunnel that is not open is no error; a tunnel to another server then opens as usual.
        Assert.Equal(ServerFrame.BodyOneofCase.Ok, (await connection.RequestAsync(new Request { TunnelSend = new TunnelSend { TunnelId = 7 } }, signer: null)).BodyCase);
        await using var relayed = await PurrConnection.ConnectThroughAsync(connection, other.Address);
        await relayed.PingAsync();
        Assert.Equal(0, home.Services.GetRequiredService<TunnelEndpoint>().Serving);
    }

    [Fact]
    public async Task A_client_address_gets_a_budget_of_tunnels_and_of_onion_packets_per_minute()
    {
        var budgets = new Dictionary<string, string>(Federating)
        {
            ["Federation:TunnelsPerMinutePerIp"] = "2",
            ["Federation:OnionPacketsPerMinutePerIp"] = "1",
        };
        await using var home = await RunningServer.StartAsync(settings: budgets);
        await using var other = await RunningServer.StartAsync(settings: Federating);
        await using var connection = await home.ConnectAsync();
        await using var first = await PurrConnection.ConnectThroughAsync(connection, other.Address);
        await using var second = await PurrConnection.ConnectThroughAsync(connection, other.Address);
        var third = await Assert.ThrowsAsync<PurrProtocolException>(() => PurrConnection.ConnectThroughAsync(connection, other.Address));
        Assert.Equal(ErrorCode.RateLimited, third.Code);
        Assert.Contains("TunnelsPerMinutePerIp", third.Detail, StringComparison.Ordinal);
        Assert.True(third.RetryAfter > TimeSpan.Zero);

        // An onion packet costs its first hop two X25519 operations before anything else is known: the budget comes first.
        var junk = new Request { OnionForward = new OnionForward { Packet = Google.Protobuf.ByteString.CopyFrom(new byte[Protocol.Federation.OnionPacket.PacketBytes]) } };
        Assert.Equal(ErrorCode.PacketRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RequestAsync(junk, signer: null))).Code);
        var limited = await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RequestAsync(junk.Clone(), signer: null));
        Assert.Equal(ErrorCode.RateLimited, limited.Code);
        await first.PingAsync();
    }

    [Fact]
    public async Task A_key_named_at_a_dead_host_does_not_keep_the_real_server_unreachable()
    {
        await using var home = await RunningServer.StartAsync(settings: Federating);
        await using var other = await RunningServer.StartAsync(settings: Federating);
        await using var connection = await home.ConnectAsync();
        var dead = other.Address with { Port = FreePorts.Next() };
        var failed = await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RelayKeysAsync(dead));
        Assert.Equal(ErrorCode.RelayFailed, failed.Code);
        Assert.Equal(ErrorCode.RelayFailed, (await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RelayKeysAsync(dead))).Code);

        // The same key at its real address is tried at once, not after the dead host's back-off.
        var keys = await connection.RelayKeysAsync(other.Address);
        Assert.Equal(32, keys.X25519Key.Length);
        await using var relayed = await PurrConnection.ConnectThroughAsync(connection, other.Address);
        await relayed.PingAsync();
    }

    [Fact]
    public async Task Tunnels_a_peer_opens_count_against_its_traffic_budget_at_the_destination()
    {
        // One relay packet's worth a minute: the first tunnel from A's link opens, the second is refused by B.
        var budget = new Dictionary<string, string>(Federating) { ["Federation:BytesPerMinutePerPeer"] = Protocol.Federation.RelayPacket.PacketBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await using var home = await RunningServer.StartAsync(settings: Federating);
        await using var other = await RunningServer.StartAsync(settings: budget);
        await using var connection = await home.ConnectAsync();
        await using var first = await PurrConnection.ConnectThroughAsync(connection, other.Address);
        var second = await Assert.ThrowsAsync<PurrProtocolException>(() => PurrConnection.ConnectThroughAsync(connection, other.Address));
        Assert.Equal(ErrorCode.RateLimited, second.Code);
        await first.PingAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited++)
        {
            Assert.True(waited < 200, "the condition did not hold within 10 s");
            await Task.Delay(50);
        }
    }
}
