using System.Net.WebSockets;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Server.Tests;

/// <summary>
/// Runs a full mailbox scenario with every log level switched on, captures every line every
/// component writes, and fails if any payload, key, mailbox id, message id or IP address appears.
/// </summary>
public sealed class PrivacyLogTests
{
    private static readonly Dictionary<string, string> EverythingOn = new()
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Trace",
    };

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task Full_scenario_logs_no_user_data(string storage)
    {
        var logs = new CapturingLoggerProvider();
        var secrets = new List<byte[]>();
        var texts = new List<string> { "127.0.0.1", "::1", "localhost" };
        await using (var server = await RunningServer.StartAsync(storage, settings: EverythingOn, logs: logs))
        {
            secrets.Add(server.Address.IdentityKey);
            await RunScenarioAsync(server, secrets, texts);
        }

        var lines = logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("Connection opened", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Request refused", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            texts.Add(Convert.ToHexStringLower(secret));
            texts.Add(Convert.ToHexString(secret));
            texts.Add(Convert.ToBase64String(secret).TrimEnd('='));
            texts.Add(Base64Url.Encode(secret));
        }

        foreach (var line in lines)
        {
            foreach (var text in texts)
            {
                Assert.False(line.Contains(text, StringComparison.Ordinal), $"log line reveals user data ({text}): {line}");
            }
        }
    }

    [Fact]
    public async Task Unsafe_logging_switch_lets_framework_details_through_and_says_so()
    {
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string>(EverythingOn) { ["Debug:UnsafeLogging"] = "true" };
        await using (var server = await RunningServer.StartAsync(settings: settings, logs: logs))
        {
            await using var client = await server.ConnectAsync();
            await client.PingAsync();
        }

        // Proof that the privacy test above can fail: with the switch on, request URLs reach the logs.
        Assert.Contains(logs.Lines, l => l.Contains("127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_providers_own_trace_level_keeps_purrs_lines_and_still_caps_the_framework()
    {
        // "Logging:Console:LogLevel:Default=Trace" used to silence Purr's own lines on that provider.
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            [$"Logging:{typeof(CapturingLoggerProvider).FullName}:LogLevel:Default"] = "Trace",
        };
        await using (var server = await RunningServer.StartAsync(settings: settings, logs: logs))
        {
            await using var client = await server.ConnectAsync();
            await client.PingAsync();
        }

        Assert.Contains(logs.Lines, l => l.Contains("Connection opened", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("127.0.0.1", StringComparison.Ordinal));
    }

    private static async Task RunScenarioAsync(RunningServer server, List<byte[]> secrets, List<string> texts)
    {
        await using var alice = await server.ConnectAsync();
        await using var bob = await server.ConnectAsync();
        using var aliceKey = Ed25519KeyPair.Generate();
        using var bobSenderKey = Ed25519KeyPair.Generate();
        secrets.Add(aliceKey.PublicKey);
        secrets.Add(bobSenderKey.PublicKey);
        secrets.Add(alice.SessionNonce.ToArray());

        var mailbox = await alice.CreateMailboxAsync(aliceKey);
        var liveMailbox = await alice.CreateMailboxAsync(aliceKey, lifetimeSeconds: 0);
        secrets.AddRange([mailbox.ReceiveId, mailbox.SendId, liveMailbox.ReceiveId, liveMailbox.SendId]);
        await alice.SecureMailboxAsync(mailbox.ReceiveId, aliceKey, bobSenderKey.PublicKey);
        await alice.SubscribeAsync(mailbox.ReceiveId, aliceKey);
        await alice.SubscribeAsync(liveMailbox.ReceiveId, aliceKey);

        for (var i = 0; i < 3; i++)
        {
            var payload = System.Text.Encoding.UTF8.GetBytes($"secret-payload-{i}-{Guid.NewGuid():N}");
            texts.Add(System.Text.Encoding.UTF8.GetString(payload));
            secrets.Add(payload);
            secrets.Add(await bob.SendAsync(mailbox.SendId, payload, bobSenderKey));
            var received = await alice.NextAsync<MessageReceived>();
            await alice.AckAsync(mailbox.ReceiveId, received.MessageId, aliceKey);
        }

        await bob.SendAsync(liveMailbox.SendId, "live-secret"u8.ToArray());
        await alice.NextAsync<MessageReceived>();
        texts.Add("live-secret");

        // Refusals of every kind are logged only by their code.
        await Assert.ThrowsAsync<PurrProtocolException>(() => bob.SendAsync(mailbox.SendId, "unsigned"u8.ToArray()));
        await Assert.ThrowsAsync<PurrProtocolException>(() => bob.FetchAsync(mailbox.ReceiveId, bobSenderKey));
        await Assert.ThrowsAsync<PurrProtocolException>(() => alice.AckAsync(mailbox.ReceiveId, new byte[16], aliceKey));
        await using (var raw = await RawClient.ConnectAsync(server.WebSocketUri))
        {
            await raw.SendBytesAsync([0xFF, 0x01]);
            await raw.ReceiveAsync();
            await raw.SendBytesAsync("text"u8.ToArray(), WebSocketMessageType.Text);
            await raw.ReceiveAsync();
        }

        // Rooms: create, join, talk, whisper, kick, stop.
        await using (var owner = await server.ConnectAsync())
        await using (var guest = await server.ConnectAsync())
        await using (var other = await server.ConnectAsync())
        {
            await using var room = await Client.Rooms.RoomSession.CreateAsync(owner, Protocol.V1.RoomKind.Persistent, "Owner-display-name");
            await using var guestRoom = await Client.Rooms.RoomSession.JoinAsync(guest, room.Link.ToString(), "Guest-display-name");
            await using var otherRoom = await Client.Rooms.RoomSession.JoinAsync(other, room.Link.ToString(), "Other-display-name");
            secrets.AddRange([room.RoomId, room.MemberKey, guestRoom.MemberKey, room.Link.RoomKey]);
            texts.AddRange(["room-secret-text", "room-whisper-text", "display-name"]);
            await room.SendTextAsync("room-secret-text");
            await room.WhisperAsync(guestRoom.MemberKey, "room-whisper-text");
            await room.KickAsync(otherRoom.MemberKey, ban: true);
            await room.StopAsync();
        }

        // Contact addresses, block tags, handles and the directory.
        await using (var profiles = new Messaging.TestProfiles())
        {
            var shop = profiles.Create(server, "Shop-display-name");
            var asker = profiles.Create(server, "Asker-display-name");
            var address = await shop.CreateAddressAsync("Shop-display-name");
            var handle = await shop.RegisterHandleAsync("privacy-handle");
            await shop.SetListingAsync(true, "privacy-description-text", TimeSpan.FromHours(1));
            await asker.SearchDirectoryAsync("privacy");
            await asker.RequestContactAsync(handle, "shop", "Asker-display-name", "address-note-text");
            var request = (await shop.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<Client.Messaging.ContactRequestReceived>().Single();
            await shop.RejectRequestAsync(request.RequestId, block: true);
            await asker.RequestContactAsync(address.Link, "shop-again", "Asker-display-name", "blocked-note-text");
            await asker.CreateAddressAsync("Asker-display-name");
            await Assert.ThrowsAsync<Client.Messaging.MessengerException>(() => asker.RegisterHandleAsync("privacy-handle"));
            secrets.AddRange([address.Body.AddressKey.ToByteArray(), address.Body.RequestKey.ToByteArray(), address.Body.Mailbox.SendId.ToByteArray(),
                Client.EndToEnd.AddressRequests.BlockTag(asker.Data.RoomTagSecret, address.Body.AddressKey.Span)]);
            texts.AddRange(["privacy-handle", "privacy-description-text", "address-note-text", "blocked-note-text", address.Link]);

            // Presence: a channel each way, a status with its text, a query answered by a running client.
            var friend = profiles.Create(server, "Friend-display-name");
            await Messaging.TestProfiles.ConnectAsync(shop, "friend", friend, "shop");
            await shop.SetPresenceAsync(Protocol.V1.PresenceStatus.Busy, "presence-text-secret");
            await friend.SetPresenceAsync(Protocol.V1.PresenceStatus.Online);
            await friend.ReceiveAsync(TimeSpan.FromSeconds(5));
            await shop.ReceiveAsync(TimeSpan.FromSeconds(5));
            using var running = new CancellationTokenSource();
            var listening = shop.ListenAsync(_ => false, null, running.Token);
            await Task.Delay(300);
            Assert.Equal("presence-text-secret", (await friend.QueryPresenceAsync(TimeSpan.FromSeconds(5)))["shop"].Text);
            await running.CancelAsync();
            await listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            texts.Add("presence-text-secret");
            secrets.Add(shop.Contact("friend").PresenceInboxKey);
        }

        using var http = new HttpClient { BaseAddress = server.HttpBase };
        await http.GetStringAsync("/.well-known/purr");
        await http.GetAsync(new Uri("/v1/ws", UriKind.Relative));
        await alice.DeleteMailboxAsync(mailbox.ReceiveId, aliceKey);
    }
}
