using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests.Chaos;

/// <summary>
/// Senders and subscribed receivers on several mailboxes of a real purrd (SQLite), while purrd is killed
/// (SIGKILL) or stopped (SIGTERM) at random moments and restarted on the same data directory, many times.
/// What it checks, at the end: every message whose send was answered "accepted" was delivered, and no message
/// whose ack was answered "ok" was ever delivered again. Everything else (a send or ack cut off before its
/// answer) may go either way, as PROTOCOL.md says.
/// </summary>
internal sealed class ChaosRun(int mailboxes, int cycles, string signal, int seed)
{
    private readonly ConcurrentDictionary<string, byte> accepted = new();
    private readonly ConcurrentDictionary<string, byte> delivered = new();
    private readonly ConcurrentDictionary<string, byte> acknowledged = new();
    private readonly ConcurrentQueue<string> violations = new();
    private readonly Random random = new(seed);
    private readonly int port = FreePorts.Next();
    private PurrAddress? address;

    public int Accepted => accepted.Count;

    public int Acknowledged => acknowledged.Count;

    public int Restarts { get; private set; }

    public IReadOnlyCollection<string> Violations => violations;

    /// <summary>Accepted sends that were never delivered.</summary>
    public IReadOnlyList<string> Lost => [.. accepted.Keys.Where(m => !delivered.ContainsKey(m))];

    public async Task RunAsync()
    {
        using var data = new TemporaryDirectory();
        var purrd = await StartAsync(data.Path);
        var keys = Enumerable.Range(0, mailboxes).Select(_ => Ed25519KeyPair.Generate()).ToList();
        List<MailboxInfo> boxes = [];
        await using (var setup = await PurrConnection.ConnectAsync(address!))
        {
            foreach (var key in keys)
            {
                boxes.Add(await setup.CreateMailboxAsync(key));
            }
        }

        using var stop = new CancellationTokenSource();
        var workers = boxes.SelectMany((box, i) => new[]
        {
            Task.Run(() => SendLoopAsync(i, box, stop.Token)),
            Task.Run(() => ReceiveLoopAsync(box, keys[i], stop.Token)),
        }).ToList();

        for (var cycle = 0; cycle < cycles; cycle++)
        {
            await Task.Delay(random.Next(300, 900));
            await purrd.SignalAsync(signal);
            await purrd.WaitForExitAsync(TimeSpan.FromSeconds(30));
            purrd.Dispose();
            purrd = await StartAsync(data.Path);
            Restarts++;
        }

        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        // Whatever is still stored is delivered now; then every accepted message must have arrived.
        await using (var drain = await ConnectAsync(CancellationToken.None))
        {
            foreach (var (box, key) in boxes.Zip(keys))
            {
                await drain.SubscribeAsync(box.ReceiveId, key);
            }

            while (await NextMessageAsync(drain, TimeSpan.FromSeconds(2)) is { } message)
            {
                Delivered(message.Payload);
                var box = boxes.First(b => b.ReceiveId.AsSpan().SequenceEqual(message.ReceiveId));
                await drain.AckAsync(message.ReceiveId, message.MessageId, keys[boxes.IndexOf(box)]);
            }
        }

        purrd.Dispose();
        keys.ForEach(k => k.Dispose());
    }

    private async Task SendLoopAsync(int mailbox, MailboxInfo box, CancellationToken stop)
    {
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await ConnectAsync(stop);
                while (!stop.IsCancellationRequested)
                {
                    var payload = $"m{mailbox}-{sequence++}";
                    await connection.SendAsync(box.SendId, System.Text.Encoding.UTF8.GetBytes(payload), cancellationToken: stop);
                    accepted[payload] = 0;
                }
            }
            catch (Exception e) when (IsConnectionLoss(e, stop))
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private async Task ReceiveLoopAsync(MailboxInfo box, Ed25519KeyPair key, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await ConnectAsync(stop);
                await connection.SubscribeAsync(box.ReceiveId, key, stop);
                while (!stop.IsCancellationRequested)
                {
                    if (await NextMessageAsync(connection, TimeSpan.FromSeconds(1), stop) is not { } message)
                    {
                        if (connection.State != System.Net.WebSockets.WebSocketState.Open)
                        {
                            break;
                        }

                        continue;
                    }

                    Delivered(message.Payload);
                    await connection.AckAsync(box.ReceiveId, message.MessageId, key, stop);
                    acknowledged[System.Text.Encoding.UTF8.GetString(message.Payload)] = 0;
                }
            }
            catch (Exception e) when (IsConnectionLoss(e, stop))
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private void Delivered(byte[] payload)
    {
        var text = System.Text.Encoding.UTF8.GetString(payload);
        if (acknowledged.ContainsKey(text))
        {
            violations.Enqueue($"{text} was delivered again after its ack was answered");
        }

        delivered[text] = 0;
    }

    private static async Task<MessageReceived?> NextMessageAsync(PurrConnection connection, TimeSpan wait, CancellationToken stop = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(wait);
        try
        {
            while (true)
            {
                if (await connection.Events.ReadAsync(timeout.Token) is MessageReceived message)
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return null;
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            return null;
        }
    }

    private async Task<PurrConnection> ConnectAsync(CancellationToken stop)
    {
        while (true)
        {
            try
            {
                return await PurrConnection.ConnectAsync(address!, cancellationToken: stop);
            }
            catch (PurrConnectionException) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private static bool IsConnectionLoss(Exception e, CancellationToken stop) =>
        e is PurrConnectionException or OperationCanceledException or System.Threading.Channels.ChannelClosedException
        || (e is PurrProtocolException protocol && protocol.Code is ErrorCode.ShuttingDown or ErrorCode.Internal)
        || stop.IsCancellationRequested;

    private async Task<PurrdProcess> StartAsync(string data)
    {
        var purrd = await PurrdProcess.StartAsync(
            data, "--storage", "sqlite", "--urls", $"http://127.0.0.1:{port}", "--Mailboxes:Quota=1000000",
            "--Limits:RequestsPerSecond=100000", "--Mailboxes:SendsPerMinutePerMailbox=1000000", "--Limits:ConnectionsPerMinutePerIp=100000");
        address = purrd.Address;
        return purrd;
    }
}
