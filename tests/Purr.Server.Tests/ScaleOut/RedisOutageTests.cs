using Purr.TestKit;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.Server.Tests.Rooms;

namespace Purr.Server.Tests.ScaleOut;

/// <summary>
/// Redis goes away in the middle of traffic and comes back (a private redis-server, so no other test shares
/// the outage): what was sent meanwhile is stored, and delivered across nodes once Redis returns; nothing lost.
/// </summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task Delivery_across_nodes_resumes_after_a_redis_restart_and_nothing_is_lost()
    {
        var port = FreePorts.Next();
        var redis = StartRedis(port);
        try
        {
            await using var cluster = await Cluster.StartAsync(2, redis: $"127.0.0.1:{port}");
            using var key = Ed25519KeyPair.Generate();
            await using var recipient = await PurrConnection.ConnectAsync(cluster[0]);
            var mailbox = await recipient.CreateMailboxAsync(key);
            await recipient.SubscribeAsync(mailbox.ReceiveId, key);
            await using var sender = await PurrConnection.ConnectAsync(cluster[1]);

            var received = new List<string>();
            await sender.SendAsync(mailbox.SendId, "before"u8.ToArray());
            received.Add(await TakeAsync(recipient, mailbox.ReceiveId, key));

            redis.Kill();
            await redis.WaitForExitAsync();
            // Accepted and stored while Redis is away: the signal to the other node is lost, the message is not.
            for (var i = 0; i < 3; i++)
            {
                await sender.SendAsync(mailbox.SendId, Encoding.UTF8.GetBytes($"during {i}"));
            }

            redis.Dispose();
            redis = StartRedis(port);
            for (var i = 0; i < 3; i++)
            {
                received.Add(await TakeAsync(recipient, mailbox.ReceiveId, key, TimeSpan.FromSeconds(20)));
            }

            await sender.SendAsync(mailbox.SendId, "after"u8.ToArray());
            received.Add(await TakeAsync(recipient, mailbox.ReceiveId, key, TimeSpan.FromSeconds(20)));
            Assert.Equal(["before", "during 0", "during 1", "during 2", "after"], received);
        }
        finally
        {
            if (!redis.HasExited)
            {
                redis.Kill();
            }

            redis.Dispose();
        }
    }

    [Fact]
    public async Task Transient_rooms_are_refused_while_redis_is_away_persistent_rooms_go_on_and_a_restart_ends_the_transient_ones()
    {
        var port = FreePorts.Next();
        var redis = StartRedis(port);
        try
        {
            await using var cluster = await Cluster.StartAsync(2, redis: $"127.0.0.1:{port}");
            await using var harness = new RoomHarness(node => PurrConnection.ConnectAsync(cluster[node]));
            var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice", node: 0);
            var (bob, _) = await harness.JoinAsync(alice, "Bob", node: 1);
            var (owner, _) = await harness.CreateAsync(RoomKind.Persistent, "Owner", node: 0);
            var (member, _) = await harness.JoinAsync(owner, "Member", node: 0);

            redis.Kill();
            await redis.WaitForExitAsync();

            // Transient rooms live in Redis: refused with UNAVAILABLE (retry later) until it is back.
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                var refused = await Assert.ThrowsAnyAsync<PurrProtocolException>(() => alice.SendTextAsync("anyone?"));
                if (refused.Code == ErrorCode.Unavailable)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"still {refused.Code} after Redis went away");
                await Task.Delay(200);
            }

            var creating = await Assert.ThrowsAsync<PurrProtocolException>(() => harness.CreateAsync(RoomKind.Transient, "Carol", node: 1));
            Assert.Equal(ErrorCode.Unavailable, creating.Code);

            // A persistent room lives in PostgreSQL and its messages travel through mailboxes: it goes on, on one node.
            await owner.SendTextAsync("Redis is away");
            await RoomHarness.TextAsync(member, "Redis is away");
            var (late, _) = await harness.JoinAsync(owner, "Late", node: 0);
            await late.SendTextAsync("joined meanwhile");
            await RoomHarness.TextAsync(owner, "joined meanwhile");

            // Redis restarted keeps nothing (no persistence, as transient rooms want): their members are told they ended.
            redis.Dispose();
            redis = StartRedis(port);
            await RoomHarness.NextAsync<RoomEnded>(alice);
            await RoomHarness.NextAsync<RoomEnded>(bob);
            var (again, _) = await harness.CreateAsync(RoomKind.Transient, "Alice again", node: 1);
            var (friend, _) = await harness.JoinAsync(again, "Friend", node: 0);
            await again.SendTextAsync("a new room");
            await RoomHarness.TextAsync(friend, "a new room");
        }
        finally
        {
            if (!redis.HasExited)
            {
                redis.Kill();
            }

            redis.Dispose();
        }
    }

    /// <summary>The next pushed message, acknowledged.</summary>
    private static async Task<string> TakeAsync(PurrConnection connection, byte[] receiveId, Ed25519KeyPair key, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await connection.Events.ReadAsync(timeout.Token) is MessageReceived message)
            {
                await connection.AckAsync(receiveId, message.MessageId, key);
                return Encoding.UTF8.GetString(message.Payload);
            }
        }
    }

    private static Process StartRedis(int port)
    {
        var process = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not start on port {port}");
    }
}
