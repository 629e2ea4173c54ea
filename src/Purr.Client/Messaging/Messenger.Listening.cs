using System.Threading.Channels;
using Purr.Crypto;

namespace Purr.Client.Messaging;

public sealed partial class Messenger
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Subscribes to every mailbox and handles messages as they are pushed, calling <paramref name="onEvent"/>
    /// for each event until it returns true or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public Task ListenAsync(Func<MessengerEvent, bool> onEvent, CancellationToken cancellationToken) =>
        ListenAsync(onEvent, onConnection: null, cancellationToken);

    /// <summary>
    /// Like <see cref="ListenAsync(Func{MessengerEvent, bool}, CancellationToken)"/>, and it outlives the
    /// connections: when a server goes away it reports <paramref name="onConnection"/>(lost), reconnects with
    /// back-off (0.5 s doubling to 15 s), subscribes again, fetches what was stored meanwhile, and reports
    /// (restored). Nothing is lost while disconnected: messages wait in the mailboxes.
    /// </summary>
    public async Task ListenAsync(Func<MessengerEvent, bool> onEvent, Action<ServerConnectionChanged>? onConnection, CancellationToken cancellationToken)
    {
        var work = Channel.CreateUnbounded<ListenWork>();
        using var stopWatchers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        List<(string Server, string Group)> groups;
        await gate.WaitAsync(cancellationToken);
        try
        {
            // One watcher per connection: per server, and per isolation group on it (Messenger.Isolation.cs).
            groups = [.. AllMailboxes().Select(m => (m.Mailbox.Server, GroupFor(m.Mailbox.Server, m.Owner))).Distinct()];
        }
        finally
        {
            gate.Release();
        }

        var watchers = groups.Select(g => WatchServerAsync(g.Server, g.Group, work.Writer, onConnection, stopWatchers.Token)).ToList();
        try
        {
            await foreach (var item in work.Reader.ReadAllAsync(cancellationToken))
            {
                var produced = new List<MessengerEvent>();
                await gate.WaitAsync(cancellationToken);
                try
                {
                    if (item.Broadcast is { } broadcast)
                    {
                        Announce(item.Server, broadcast, produced);
                    }
                    else if (item.Message is { } message)
                    {
                        await HandleAsync(item.Connection!, message.ReceiveId, message.MessageId, message.Payload, produced);
                    }
                    else
                    {
                        await DrainLockedAsync(produced, item.Server, cancellationToken);
                    }

                    await RetireDrainedMailboxesAsync(produced);
                }
                catch (PurrConnectionException)
                {
                    // The connection went while handling: its watcher reconnects and fetches what is left.
                }
                finally
                {
                    gate.Release();
                }

                if (produced.Any(onEvent))
                {
                    return;
                }
            }
        }
        finally
        {
            await stopWatchers.CancelAsync();
            await Task.WhenAll(watchers);
        }
    }

    /// <summary>Keeps one server's subscriptions alive: connect, subscribe, pump pushes; on loss, report and retry.</summary>
    private async Task WatchServerAsync(
        string server, string group, ChannelWriter<ListenWork> work, Action<ServerConnectionChanged>? onConnection, CancellationToken cancellationToken)
    {
        var retry = FirstRetry;
        var lost = false;
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            PurrConnection connection;
            try
            {
                connection = await SubscribeServerAsync(server, group, cancellationToken);
            }
            catch (PurrConnectionException)
            {
                if (!lost)
                {
                    lost = true;
                    onConnection?.Invoke(new ServerConnectionChanged(server, Connected: false));
                }

                if (!await DelayAsync(retry, cancellationToken))
                {
                    return;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            retry = FirstRetry;
            if (!first)
            {
                // Whatever arrived while we were away waits in the mailboxes: fetch it before the live pushes.
                work.TryWrite(new ListenWork(server, null, null));
            }

            if (lost)
            {
                lost = false;
                onConnection?.Invoke(new ServerConnectionChanged(server, Connected: true));
            }

            first = false;
            await PumpAsync(connection, work, cancellationToken);
            if (!cancellationToken.IsCancellationRequested)
            {
                lost = true;
                onConnection?.Invoke(new ServerConnectionChanged(server, Connected: false));
            }
        }
    }

    private async Task<PurrConnection> SubscribeServerAsync(string server, string group, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await ConnectAsync(server, group: group);
            var gotKeys = false;
            foreach (var (mailbox, _) in AllMailboxes().Where(m => m.Mailbox.Server == server && GroupFor(server, m.Owner) == group))
            {
                using var key = Ed25519KeyPair.FromSeed(mailbox.RecipientKeySeed);
                try
                {
                    await connection.SubscribeAsync(mailbox.ReceiveId, key, cancellationToken);
                }
                catch (PurrProtocolException)
                {
                    // This mailbox is gone from the server (expired, deleted): the others still listen.
                    continue;
                }

                // After the subscribe, so that its head message is not held up by the key's request.
                gotKeys |= await FetchMailboxKeyAsync(connection, mailbox, key, cancellationToken);
            }

            if (gotKeys)
            {
                file.Save(Data);
            }

            return connection;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Moves one connection's pushed messages into the work queue until the connection closes.</summary>
    private static async Task PumpAsync(PurrConnection connection, ChannelWriter<ListenWork> work, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var pushedEvent in connection.Events.ReadAllAsync(cancellationToken))
            {
                // Live messages too: presence (PROTOCOL.md 10.9) travels only live and is never stored.
                if (pushedEvent is MessageReceived message)
                {
                    work.TryWrite(new ListenWork(connection.Address.ToString(), connection, message));
                }
                else if (pushedEvent is ServerBroadcastReceived broadcast)
                {
                    work.TryWrite(new ListenWork(connection.Address.ToString(), connection, null, broadcast));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>An announcement shows once per profile, however many connections bring it.</summary>
    private void Announce(string server, ServerBroadcastReceived broadcast, List<MessengerEvent> events)
    {
        if (Data.SeenBroadcasts.Contains(broadcast.Id))
        {
            return;
        }

        Remember(Data.SeenBroadcasts, broadcast.Id);
        file.Save(Data);
        events.Add(new ServerAnnouncement(server, broadcast.Text, broadcast.SentAt));
    }

    /// <summary>
    /// One thing for the listener to do: handle a pushed message, show a broadcast, or (both null) fetch a server's
    /// mailboxes.
    /// </summary>
    private sealed record ListenWork(string Server, PurrConnection? Connection, MessageReceived? Message, ServerBroadcastReceived? Broadcast = null);
}
