using System.Diagnostics;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests.Soak;

/// <summary>
/// A mixed load held on a real purrd (SQLite) while its memory, descriptors, threads and store size are
/// sampled: one-to-one traffic with acks, connections coming and going, rooms made, used and stopped. The
/// test fails when a resource keeps growing: the last third of the samples against the first third after a
/// warm-up. CI holds it for a minute; `bash scripts/soak.sh` for 30 minutes (PURR_SOAK_SECONDS).
/// </summary>
public sealed class SoakTests
{
    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("PURR_SOAK_SECONDS"), out var s) ? s : 60);

    [Fact]
    public async Task A_mixed_load_held_for_a_while_leaves_memory_descriptors_threads_and_store_flat()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var data = new TemporaryDirectory();
        using var purrd = await PurrdProcess.StartAsync(data.Path, "--storage", "sqlite", "--Limits:RequestsPerSecond=100000",
            "--Rooms:CreationsPerMinutePerIp=100000", "--Rooms:MaxRoomsCreatedPerConnection=100000",
            "--Limits:ConnectionsPerMinutePerIp=100000", "--Mailboxes:SendsPerMinutePerMailbox=100000", "--Rooms:JoinsPerMinutePerConnection=100000",
            "--Limits:FailedAuthsPerMinutePerIp=100000");
        // Each load finishes its round (a send is answered and acked) before it looks at this.
        using var stop = new CancellationTokenSource();
        bool Stopping() => stop.IsCancellationRequested;
        var load = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            load.Add(Task.Run(() => PairLoadAsync(purrd, Stopping)));
        }

        load.Add(Task.Run(() => ChurnAsync(purrd, Stopping)));
        load.Add(Task.Run(() => RoomLoadAsync(purrd, Stopping)));

        var samples = new List<ResourceSample>();
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds(Math.Max(2, Duration.TotalSeconds / 30));
        while (clock.Elapsed < Duration)
        {
            await Task.Delay(interval);
            samples.Add(ResourceSample.Read(purrd.Id, data.Path, clock.Elapsed));
            Console.WriteLine($"soak {samples[^1]}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.False(purrd.HasExited);

        // The first quarter is warm-up (JIT, pools, the store's first pages); then compare thirds of the rest.
        var steady = samples.Skip(samples.Count / 4).ToList();
        var third = Math.Max(1, steady.Count / 3);
        var (early, late) = (steady.Take(third).ToList(), steady.TakeLast(third).ToList());
        AssertFlat("RSS (MiB)", early.Average(s => s.RssBytes) / 1048576, late.Average(s => s.RssBytes) / 1048576, relative: 0.25, absolute: 24);
        AssertFlat("descriptors", early.Average(s => s.Descriptors), late.Average(s => s.Descriptors), relative: 0.25, absolute: 24);
        AssertFlat("threads", early.Average(s => s.Threads), late.Average(s => s.Threads), relative: 0.5, absolute: 12);
        AssertFlat("store (KiB)", early.Average(s => s.StoreBytes) / 1024, late.Average(s => s.StoreBytes) / 1024, relative: 0.5, absolute: 2048);
    }

    private static void AssertFlat(string what, double early, double late, double relative, double absolute) =>
        Assert.True(late <= early + Math.Max(early * relative, absolute), $"{what} grew from {early:F1} to {late:F1}");

    /// <summary>One sender, one subscribed receiver that acks: the everyday path.</summary>
    private static async Task PairLoadAsync(PurrdProcess purrd, Func<bool> stopping)
    {
        await using var sender = await PurrConnection.ConnectAsync(purrd.Address);
        await using var receiver = await PurrConnection.ConnectAsync(purrd.Address);
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await receiver.CreateMailboxAsync(key);
        await receiver.SubscribeAsync(mailbox.ReceiveId, key);
        var payload = new byte[1024];
        while (!stopping())
        {
            await sender.SendAsync(mailbox.SendId, payload);
            var received = await receiver.NextAsync<MessageReceived>();
            await receiver.AckAsync(mailbox.ReceiveId, received.MessageId, key);
        }
    }

    /// <summary>Connections that come, make a mailbox, leave a message, delete it and go.</summary>
    private static async Task ChurnAsync(PurrdProcess purrd, Func<bool> stopping)
    {
        while (!stopping())
        {
            await using var connection = await PurrConnection.ConnectAsync(purrd.Address);
            using var key = Ed25519KeyPair.Generate();
            var mailbox = await connection.CreateMailboxAsync(key);
            await connection.SendAsync(mailbox.SendId, "short-lived"u8.ToArray());
            await connection.DeleteMailboxAsync(mailbox.ReceiveId, key);
        }
    }

    /// <summary>Rooms of both kinds made, joined, talked in and stopped.</summary>
    private static async Task RoomLoadAsync(PurrdProcess purrd, Func<bool> stopping)
    {
        await using var owner = await PurrConnection.ConnectAsync(purrd.Address);
        await using var guest = await PurrConnection.ConnectAsync(purrd.Address);
        var kinds = new[] { RoomKind.Transient, RoomKind.Persistent };
        for (var i = 0; !stopping(); i++)
        {
            await using var room = await RoomSession.CreateAsync(owner, kinds[i % 2], "Owner");
            await using var joined = await RoomSession.JoinAsync(guest, room.Link.ToString(), "Guest");
            await joined.SendTextAsync("hello");
            await room.StopAsync();
        }
    }
}
