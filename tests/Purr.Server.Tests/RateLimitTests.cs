using System.Net;
using Google.Protobuf;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Tests.Rooms;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>
/// Each rate limit is hit, answered with RATE_LIMITED (or HTTP 429) and a retry-after, recovered from when the
/// time has passed, and a bystander on another address is served meanwhile. Time is a manual clock.
/// </summary>
public sealed class RateLimitTests
{
    private static readonly IPAddress Abuser = IPAddress.Parse("127.0.0.5");

    [Fact]
    public async Task New_connections_per_address_get_429_with_retry_after_and_recover()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time, settings: new Dictionary<string, string> { ["Limits:ConnectionsPerMinutePerIp"] = "3" });
        for (var i = 0; i < 3; i++)
        {
            await using var allowed = await RawClient.ConnectAsync(server.WebSocketUri, source: Abuser);
        }

        var refused = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => RawClient.ConnectAsync(server.WebSocketUri, source: Abuser));
        Assert.Contains("429", refused.Message, StringComparison.Ordinal);
        await using (var bystander = await server.ConnectAsync())
        {
            await bystander.PingAsync();
        }

        time.Advance(TimeSpan.FromSeconds(30));
        await using var recovered = await RawClient.ConnectAsync(server.WebSocketUri, source: Abuser);
        Assert.NotNull(recovered.Hello.ServerIdentityKey);
    }

    [Fact]
    public async Task Sends_per_mailbox_are_bounded_whoever_sends_and_recover()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time, settings: new Dictionary<string, string> { ["Mailboxes:SendsPerMinutePerMailbox"] = "5" });
        await using var owner = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var flooded = await owner.CreateMailboxAsync(key);
        var other = await owner.CreateMailboxAsync(key);
        await using var first = await server.ConnectAsync();
        await using var second = await server.ConnectAsync();
        for (var i = 0; i < 5; i++)
        {
            await (i % 2 == 0 ? first : second).SendAsync(flooded.SendId, new[] { (byte)i });
        }

        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => second.SendAsync(flooded.SendId, new byte[] { 9 }));
        Assert.Equal(ErrorCode.RateLimited, refused.Code);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(13));
        await first.SendAsync(other.SendId, new byte[] { 1 });  // another mailbox is not held up

        time.Advance(refused.RetryAfter);
        await second.SendAsync(flooded.SendId, new byte[] { 10 });
    }

    [Fact]
    public async Task Room_joins_per_connection_are_bounded_and_recover()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time, settings: new Dictionary<string, string> { ["Rooms:JoinsPerMinutePerConnection"] = "2" });
        await using var harness = new RoomHarness(server);
        var (room, _) = await harness.CreateAsync(RoomKind.Transient, "Owner");
        var walker = await harness.Connect();
        await using var a = await Client.Rooms.RoomSession.JoinAsync(walker, room.Link.ToString(), "A");
        await using var b = await Client.Rooms.RoomSession.JoinAsync(walker, room.Link.ToString(), "B");
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => Client.Rooms.RoomSession.JoinAsync(walker, room.Link.ToString(), "C"));
        Assert.Equal(ErrorCode.RateLimited, refused.Code);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);
        await using var bystander = await Client.Rooms.RoomSession.JoinAsync(await harness.Connect(), room.Link.ToString(), "D");

        time.Advance(TimeSpan.FromMinutes(1));
        await using var c = await Client.Rooms.RoomSession.JoinAsync(walker, room.Link.ToString(), "C");
    }

    [Fact]
    public async Task Failed_authentications_per_address_stop_every_request_from_it_until_the_budget_refills()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time, settings: new Dictionary<string, string> { ["Limits:FailedAuthsPerMinutePerIp"] = "4" });
        await using var guesser = await RawClient.ConnectAsync(server.WebSocketUri, source: Abuser);
        await guesser.HelloAsync();
        ulong id = 1;
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(ErrorCode.Auth, (await GuessAsync(guesser, ++id)).Code);
        }

        var limited = await GuessAsync(guesser, ++id);
        Assert.Equal(ErrorCode.RateLimited, limited.Code);
        Assert.True(limited.RetryAfterMs > 0);
        await guesser.SendRequestAsync(new Request { Id = ++id, Ping = new Ping() });
        Assert.Equal(ErrorCode.RateLimited, (await guesser.ReceiveAsync())!.Error.Code);

        // Another address is not affected.
        await using var bystander = await server.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        await bystander.CreateMailboxAsync(key);

        time.Advance(TimeSpan.FromMilliseconds(limited.RetryAfterMs));
        Assert.Equal(ErrorCode.Auth, (await GuessAsync(guesser, ++id)).Code);
    }

    private static async Task<Error> GuessAsync(RawClient client, ulong id)
    {
        await client.SendRequestAsync(new Request { Id = id, Fetch = new Fetch { ReceiveId = ByteString.CopyFrom(new byte[16]) } }, new byte[64]);
        return (await client.ReceiveAsync())!.Error;
    }
}
