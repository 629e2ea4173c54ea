using System.Diagnostics;
using System.Text;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol.V1;
using SubscriptionEnded = Purr.Client.SubscriptionEnded;
using Purr.TestKit;

namespace Purr.Server.Tests.ScaleOut;

/// <summary>
/// Two or three purrd processes on one PostgreSQL and one Redis: a message sent through one node reaches a
/// subscriber on another at once, a subscription moves between nodes, live-only messages and deletions cross
/// nodes, and a node killed with -9 in the middle of a stream loses nothing that was acknowledged.
/// </summary>
public sealed class ClusterTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_message_sent_through_one_node_reaches_a_subscriber_on_another_at_once()
    {
        await using var cluster = await Cluster.StartAsync(2);
        Assert.Equal(cluster[0].IdentityKey, cluster[1].IdentityKey);
        using var key = Ed25519KeyPair.Generate();
        await using var recipient = await PurrConnection.ConnectAsync(cluster[0]);
        var mailbox = await recipient.CreateMailboxAsync(key);
        await recipient.SubscribeAsync(mailbox.ReceiveId, key);

        await using var sender = await PurrConnection.ConnectAsync(cluster[1]);
        var clock = Stopwatch.StartNew();
        await sender.SendAsync(mailbox.SendId, "across nodes"u8.ToArray());
        var received = await NextMessageAsync(recipient);
        clock.Stop();
        Assert.Equal("across nodes", Encoding.UTF8.GetString(received.Payload));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");

        // The next one follows the ack, whichever node the sender uses.
        await sender.SendAsync(mailbox.SendId, "second"u8.ToArray());
        await recipient.AckAsync(mailbox.ReceiveId, received.MessageId, key);
        Assert.Equal("second", Encoding.UTF8.GetString((await NextMessageAsync(recipient)).Payload));
    }

    [Fact]
    public async Task A_subscription_moves_to_the_node_the_client_subscribes_on_last()
    {
        await using var cluster = await Cluster.StartAsync(2);
        using var key = Ed25519KeyPair.Generate();
        await using var first = await PurrConnection.ConnectAsync(cluster[0]);
        var mailbox = await first.CreateMailboxAsync(key);
        await first.SubscribeAsync(mailbox.ReceiveId, key);

        await using var second = await PurrConnection.ConnectAsync(cluster[1]);
        await second.SubscribeAsync(mailbox.ReceiveId, key);
        Assert.IsType<SubscriptionEnded>(await NextEventAsync(first));

        await using var sender = await PurrConnection.ConnectAsync(cluster[0]);
        await sender.SendAsync(mailbox.SendId, "to the new one"u8.ToArray());
        Assert.Equal("to the new one", Encoding.UTF8.GetString((await NextMessageAsync(second)).Payload));
    }

    [Fact]
    public async Task Live_only_messages_and_deletions_cross_nodes()
    {
        await using var cluster = await Cluster.StartAsync(2);
        using var key = Ed25519KeyPair.Generate();
        await using var recipient = await PurrConnection.ConnectAsync(cluster[0]);
        var live = await recipient.CreateMailboxAsync(key, lifetimeSeconds: 0);
        await recipient.SubscribeAsync(live.ReceiveId, key);
        await using var sender = await PurrConnection.ConnectAsync(cluster[1]);
        await sender.SendAsync(live.SendId, "live, never stored"u8.ToArray());
        var pushed = await NextMessageAsync(recipient);
        Assert.True(pushed.Live);
        Assert.Equal("live, never stored", Encoding.UTF8.GetString(pushed.Payload));

        await using var elsewhere = await PurrConnection.ConnectAsync(cluster[1]);
        await elsewhere.DeleteMailboxAsync(live.ReceiveId, key);
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.SendAsync(live.SendId, "gone"u8.ToArray()));
        Assert.Equal(ErrorCode.Auth, refused.Code);
    }

    [Fact]
    public async Task A_node_killed_mid_stream_loses_nothing_acknowledged_its_client_carries_on_elsewhere()
    {
        await using var cluster = await Cluster.StartAsync(3);
        using var key = Ed25519KeyPair.Generate();
        var recipient = await PurrConnection.ConnectAsync(cluster[0]);
        var mailbox = await recipient.CreateMailboxAsync(key);
        await recipient.SubscribeAsync(mailbox.ReceiveId, key);

        const int Count = 60;
        var received = new HashSet<string>();
        await using var sender = await PurrConnection.ConnectAsync(cluster[1]);
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < Count; i++)
            {
                await sender.SendAsync(mailbox.SendId, Encoding.UTF8.GetBytes($"message {i}"));
                await Task.Delay(20);
            }
        });

        var killed = false;
        while (received.Count < Count)
        {
            MessageReceived pushed;
            try
            {
                pushed = await NextMessageAsync(recipient);
            }
            catch (Exception e) when (killed && e is PurrClientException or OperationCanceledException or InvalidOperationException)
            {
                // The node died: the client connects to another node and subscribes again, as its library does.
                await recipient.DisposeAsync();
                recipient = await PurrConnection.ConnectAsync(cluster[2]);
                await recipient.SubscribeAsync(mailbox.ReceiveId, key);
                continue;
            }

            received.Add(Encoding.UTF8.GetString(pushed.Payload));
            if (received.Count == Count / 3 && !killed)
            {
                killed = true;
                await cluster.KillAsync(0);
                continue;
            }

            await recipient.AckAsync(mailbox.ReceiveId, pushed.MessageId, key);
        }

        await sending;
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"message {i}").ToHashSet(), received);
        await recipient.DisposeAsync();
    }

    [Fact]
    public async Task An_operator_broadcast_sent_on_one_node_reaches_clients_on_every_node()
    {
        await using var cluster = await Cluster.StartAsync(2);
        await using var elsewhere = await PurrConnection.ConnectAsync(cluster[1]);
        var purrctl = Path.Combine(AppContext.BaseDirectory, "purrctl.dll");
        var sent = await ProcessRun.RunAsync("dotnet", [purrctl, "--data", cluster.DataDirectory(0), "broadcast", "maintenance at ten", "--ttl", "1h"]);
        Assert.True(sent.Exit == 0, sent.Output);

        using var timeout = new CancellationTokenSource(Soon);
        while (await elsewhere.Events.ReadAsync(timeout.Token) is not ServerBroadcastReceived { Text: "maintenance at ten" })
        {
        }

        // A client connecting later to the other node gets it too, once.
        await using var later = await PurrConnection.ConnectAsync(cluster[1]);
        using var again = new CancellationTokenSource(Soon);
        Assert.Equal("maintenance at ten", Assert.IsType<ServerBroadcastReceived>(await later.Events.ReadAsync(again.Token)).Text);
    }

    private static async Task<MessageReceived> NextMessageAsync(PurrConnection connection)
    {
        while (true)
        {
            if (await NextEventAsync(connection) is MessageReceived message)
            {
                return message;
            }
        }
    }

    private static async Task<PurrEvent> NextEventAsync(PurrConnection connection)
    {
        using var timeout = new CancellationTokenSource(Soon);
        return await connection.Events.ReadAsync(timeout.Token);
    }
}
