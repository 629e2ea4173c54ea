using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.TestKit;

namespace Purr.Server.Tests;

public sealed class PersistenceTests
{
    [Fact]
    public async Task Sqlite_messages_survive_a_restart_and_are_delivered_after_it()
    {
        using var data = new TemporaryDirectory();
        using var key = Ed25519KeyPair.Generate();
        MailboxInfo mailbox;
        await using (var server = await RunningServer.StartAsync("sqlite", data.Path))
        {
            await using var client = await server.ConnectAsync();
            mailbox = await client.CreateMailboxAsync(key);
            await client.SendAsync(mailbox.SendId, "before-restart-1"u8.ToArray());
            await client.SendAsync(mailbox.SendId, "before-restart-2"u8.ToArray());
        }

        await using var restarted = await RunningServer.StartAsync("sqlite", data.Path);
        await using var again = await restarted.ConnectAsync();
        await again.SubscribeAsync(mailbox.ReceiveId, key);
        var first = await again.NextAsync<MessageReceived>();
        Assert.Equal("before-restart-1"u8.ToArray(), first.Payload);
        await again.AckAsync(mailbox.ReceiveId, first.MessageId, key);
        Assert.Equal("before-restart-2"u8.ToArray(), (await again.NextAsync<MessageReceived>()).Payload);
    }

    [Fact]
    public async Task Memory_store_writes_nothing_to_disk()
    {
        using var data = new TemporaryDirectory();
        await using (var server = await RunningServer.StartAsync("memory", data.Path))
        {
            await using var client = await server.ConnectAsync();
            using var key = Ed25519KeyPair.Generate();
            var mailbox = await client.CreateMailboxAsync(key);
            await client.SendAsync(mailbox.SendId, "ephemeral"u8.ToArray());
        }

        Assert.Equal(["server.key"], Directory.GetFiles(data.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Sigterm_stops_purrd_cleanly_and_keeps_stored_messages()
    {
        using var data = new TemporaryDirectory();
        using var purrd = await PurrdProcess.StartAsync(data.Path);
        using var key = Ed25519KeyPair.Generate();
        MailboxInfo mailbox;
        await using (var client = await PurrConnection.ConnectAsync(purrd.Address))
        {
            mailbox = await client.CreateMailboxAsync(key);
            await client.SendAsync(mailbox.SendId, "survives-sigterm"u8.ToArray());
            await client.SubscribeAsync(mailbox.ReceiveId, key);
            await client.NextAsync<MessageReceived>();

            await purrd.SignalAsync("TERM");

            // Connected clients are told why the connection ends.
            var goodbye = await client.NextAsync<ServerError>();
            Assert.Equal(Protocol.V1.ErrorCode.ShuttingDown, goodbye.Code);
        }

        await purrd.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, purrd.ExitCode);
        Assert.False(File.Exists(Path.Combine(data.Path, "purr.db-wal")) && new FileInfo(Path.Combine(data.Path, "purr.db-wal")).Length > 0);

        await using var restarted = await RunningServer.StartAsync("sqlite", data.Path);
        await using var again = await restarted.ConnectAsync();
        Assert.Equal("survives-sigterm"u8.ToArray(), (await again.FetchAsync(mailbox.ReceiveId, key))!.Payload);
    }
}
