using System.Net.WebSockets;
using Purr.Client;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests;

public sealed class ConnectionPolicyTests
{
    [Fact]
    public async Task Browser_origins_other_than_the_servers_own_and_the_allowed_are_refused()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:AllowedOrigins:0"] = "https://chat.example.org",
        });

        async Task<bool> Opens(string origin)
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Origin", origin);
            try
            {
                await socket.ConnectAsync(server.WebSocketUri, CancellationToken.None);
                return true;
            }
            catch (WebSocketException e)
            {
                Assert.Contains("403", e.Message, StringComparison.Ordinal);
                return false;
            }
        }

        Assert.False(await Opens("https://evil.example"));
        Assert.False(await Opens("null"));
        Assert.False(await Opens($"http://127.0.0.1:{server.Address.Port + 1}"));
        Assert.True(await Opens($"http://127.0.0.1:{server.Address.Port}"));
        Assert.True(await Opens("https://chat.example.org"));
    }

    [Fact]
    public async Task Malformed_frames_count_against_the_rate_and_a_flood_of_them_closes_the_connection()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time, settings: new Dictionary<string, string>
        {
            ["Limits:RequestsPerSecond"] = "5",
        });
        await using var raw = await RawClient.ConnectAsync(server.WebSocketUri);
        for (var i = 0; i < 10; i++)
        {
            await raw.SendBytesAsync([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
            Assert.Equal(ErrorCode.MalformedFrame, (await raw.ReceiveAsync())!.Error.Code);
        }

        await raw.SendBytesAsync([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
        Assert.Equal(ErrorCode.RateLimited, (await raw.ReceiveAsync())!.Error.Code);
        Assert.Null(await raw.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, raw.CloseStatus);

        // Refusals of well-formed requests (here a missing id) take tokens too.
        await using var other = await RawClient.ConnectAsync(server.WebSocketUri);
        for (var i = 0; i < 10; i++)
        {
            await other.SendRequestAsync(new Request { Ping = new Ping() });
            Assert.Equal(ErrorCode.MissingRequestId, (await other.ReceiveAsync())!.Error.Code);
        }

        await other.SendRequestAsync(new Request { Ping = new Ping() });
        Assert.Equal(ErrorCode.RateLimited, (await other.ReceiveAsync())!.Error.Code);
    }

    [Fact]
    public async Task Requests_beyond_the_rate_get_RATE_LIMITED_until_time_passes()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time, settings: new Dictionary<string, string>
        {
            ["Limits:RequestsPerSecond"] = "5",
        });
        await using var client = await server.ConnectAsync();

        // A burst of twice the rate: the hello took one token, nine pings take the rest.
        for (var i = 0; i < 9; i++)
        {
            await client.PingAsync();
        }

        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => client.PingAsync());
        Assert.Equal(ErrorCode.RateLimited, error.Code);
        time.Advance(TimeSpan.FromSeconds(1));
        await client.PingAsync();
    }

    [Fact]
    public async Task Subscriptions_per_connection_are_limited()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxSubscriptionsPerConnection"] = "2",
        });
        await using var client = await server.ConnectAsync();
        using var key = Crypto.Ed25519KeyPair.Generate();
        var boxes = new[] { await client.CreateMailboxAsync(key), await client.CreateMailboxAsync(key), await client.CreateMailboxAsync(key) };
        await client.SubscribeAsync(boxes[0].ReceiveId, key);
        await client.SubscribeAsync(boxes[1].ReceiveId, key);
        await client.SubscribeAsync(boxes[1].ReceiveId, key);
        var error = await Assert.ThrowsAsync<PurrProtocolException>(() => client.SubscribeAsync(boxes[2].ReceiveId, key));
        Assert.Equal(ErrorCode.TooManySubscriptions, error.Code);
        await client.UnsubscribeAsync(boxes[0].ReceiveId, key);
        await client.SubscribeAsync(boxes[2].ReceiveId, key);
    }

    [Fact]
    public async Task Server_wide_connection_limit_answers_HTTP_503()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Limits:MaxConnections"] = "1" });
        await using var first = await server.ConnectAsync();
        var refused = await Assert.ThrowsAsync<PurrConnectionException>(() => server.ConnectAsync());
        Assert.Contains("503", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_limits_stop_the_server_at_start()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxFrameBytes"] = "8192",
        }));
        await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Mailboxes:Quota"] = "0",
        }));
    }
}
