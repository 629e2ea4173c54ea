using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Purr.Client;
using Purr.Crypto;

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
        var port = FreePort();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
