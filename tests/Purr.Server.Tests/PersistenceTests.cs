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
        // The operator sees the stop in the log, as the start.
        var log = await purrd.OutputAsync();
        Assert.Contains("purrd stopping", log, StringComparison.Ordinal);
        Assert.Contains("purrd stopped", log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "purr.db-wal")) && new FileInfo(Path.Combine(data.Path, "purr.db-wal")).Length > 0);

        await using var restarted = await RunningServer.StartAsync("sqlite", data.Path);
        await using var again = await restarted.ConnectAsync();
        Assert.Equal("survives-sigterm"u8.ToArray(), (await again.FetchAsync(mailbox.ReceiveId, key))!.Payload);
    }

    [Fact]
    public async Task At_shutdown_every_request_the_server_carried_out_was_answered()
    {
        // Slow requests (room passwords on one hashing slot) are in flight when the server stops.
        var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rooms:PasswordHashConcurrency"] = "1",
            ["Rooms:PasswordHashesPerMinutePerIp"] = "1000",
            ["Rooms:CreationsPerMinutePerIp"] = "1000",
        });
        var connections = new List<PurrConnection>();
        for (var i = 0; i < 8; i++)
        {
            connections.Add(await server.ConnectAsync());
        }

        var metrics = (Purr.Server.Metrics.ServerMetrics)server.Services.GetService(typeof(Purr.Server.Metrics.ServerMetrics))!;
        var framesBefore = metrics.FramesReceived;
        var attempts = connections.Select(async connection =>
        {
            using var member = Ed25519KeyPair.Generate();
            var create = new Protocol.V1.CreateRoom
            {
                Kind = Protocol.V1.RoomKind.Transient,
                MemberKey = Google.Protobuf.ByteString.CopyFrom(member.PublicKey),
                MemberDhKey = Google.Protobuf.ByteString.CopyFrom(X25519KeyPair.Generate().PublicKey),
                JoinSecret = Google.Protobuf.ByteString.CopyFrom(SecureRandom.Bytes(32)),
                Password = "pw",
            };
            try
            {
                var answer = await connection.RequestAsync(
                    new Protocol.V1.Request { CreateRoom = create }, bytes => member.Sign(SignedBytes.MemberRequest(connection.SessionNonce.Span, bytes)));
                return answer.BodyCase == Protocol.V1.ServerFrame.BodyOneofCase.RoomCreated;
            }
            catch (PurrClientException)
            {
                return false;
            }
        }).ToList();
        // Wait until every request has been read and is being handled (most wait for the one hashing slot); a fixed
        // pause was not always enough on a loaded two-core machine.
        for (var waited = 0; metrics.FramesReceived < framesBefore + connections.Count && waited < 500; waited++)
        {
            await Task.Delay(10);
        }

        var registry = (Purr.Server.Rooms.RoomRegistry)server.Services.GetService(typeof(Purr.Server.Rooms.RoomRegistry))!;
        var stopping = server.DisposeAsync();
        var answered = (await Task.WhenAll(attempts)).Count(created => created);
        var made = registry.LiveCount;
        await stopping;
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        // Each request in flight was finished and answered before SHUTTING_DOWN; none was done silently.
        Assert.Equal(connections.Count, answered);
        Assert.Equal(made, answered);
    }
}
