using Purr.TestKit;
using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using Purr.Client;
using Purr.Client.Messaging;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Tests.Messaging;
using Purr.Server.Transport.Mqtt;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// Issue 19, MQTT: purrd attached to a real mosquitto broker serves Purr through it; clients that reach only the
/// broker talk end to end; the broker sees opaque topics and ciphertext; the server key is checked as everywhere.
/// </summary>
public sealed class MqttTransportTests
{
    private const string Prefix = "purr/test";

    [Fact]
    public async Task Two_people_who_reach_only_the_broker_talk_end_to_end_and_the_broker_sees_only_ciphertext()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var spy = await Spy.StartAsync(broker.Port);
        await using var server = await StartServerAsync(broker);
        // The address's WebSocket endpoint is dead: everything goes through the broker.
        var address = new PurrAddress(server.Address.IdentityKey, "127.0.0.1", FreePorts.Next())
        {
            Transports = [TransportEndpoint.Parse($"mqtt://127.0.0.1:{broker.Port}/{Prefix}")],
        };

        await using var profiles = new TestProfiles();
        var alice = profiles.Create(address.ToString(), "Alice");
        var bob = profiles.Create(address.ToString(), "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        const string text = "a secret only Bob may read, carried by MQTT";
        await alice.SendTextAsync("bob", text);
        Assert.Contains(await bob.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is TextReceived { Text: text });
        await bob.SendTextAsync("alice", "and back");
        Assert.Contains(await alice.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is TextReceived { Text: "and back" });
        Assert.True(server.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<MqttBridge>().Single().Open >= 2);

        // What the broker carried: topics of the prefix and random connection ids, payloads that show nothing.
        Assert.NotEmpty(spy.Messages);
        var secrets = new List<byte[]> { Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes("Alice"), server.Address.IdentityKey };
        foreach (var contact in alice.Data.Contacts.Concat(bob.Data.Contacts))
        {
            secrets.AddRange(contact.Inbox.SelectMany(m => new[] { m.ReceiveId, m.SendId }));
            secrets.Add(contact.Outbox!.SendId);
        }

        foreach (var (topic, payload) in spy.Messages)
        {
            Assert.Matches($"^{Prefix}/[ud]/[A-Za-z0-9_-]{{22}}$", topic);
            foreach (var secret in secrets)
            {
                Assert.Equal(-1, payload.AsSpan().IndexOf(secret));
            }
        }
    }

    [Fact]
    public async Task A_room_works_over_MQTT()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var server = await StartServerAsync(broker);
        var address = server.Address with { Transports = [TransportEndpoint.Parse($"mqtt://127.0.0.1:{broker.Port}/{Prefix}")] };
        var mqtt = address.Transports[0];
        await using var harness = new Rooms.RoomHarness(_ => PurrConnection.ConnectAsync(address, mqtt, new PurrConnectionOptions()));
        var (alice, connection) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        Assert.Equal(TransportKind.Mqtt, connection.Endpoint.Kind);
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        await alice.SendTextAsync("hello room over MQTT");
        Assert.Equal("hello room over MQTT", (await Rooms.RoomHarness.TextAsync(bob, "hello room over MQTT")).Text);
    }

    [Fact]
    public async Task A_server_that_cannot_prove_the_pinned_key_is_refused_and_the_server_survives_garbage()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var server = await StartServerAsync(broker);
        var mqtt = TransportEndpoint.Parse($"mqtt://127.0.0.1:{broker.Port}/{Prefix}");

        // Garbage on the up topics: malformed ids, a first message of the wrong size, payloads for unknown connections.
        var factory = new MqttClientFactory();
        using (var vandal = factory.CreateMqttClient())
        {
            await vandal.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).Build());
            foreach (var (topic, payload) in new[]
            {
                ($"{Prefix}/u/short", new byte[32]),
                ($"{Prefix}/u/{MqttIdOf(1)}", new byte[31]),
                ($"{Prefix}/u/{MqttIdOf(2)}", new byte[5000]),
                ($"{Prefix}/u/{MqttIdOf(3)}", Array.Empty<byte>()),
            })
            {
                await vandal.PublishBinaryAsync(topic, payload);
            }
        }

        var impostor = new PurrAddress(new byte[32], "127.0.0.1", 1) { Transports = [mqtt] };
        await Assert.ThrowsAsync<PurrServerKeyMismatchException>(() => PurrConnection.ConnectAsync(impostor, mqtt, new PurrConnectionOptions()));

        await using var honest = await PurrConnection.ConnectAsync(server.Address, mqtt, new PurrConnectionOptions());
        await honest.PingAsync();
    }

    [Fact]
    public async Task Sessions_beyond_the_limit_are_refused_and_the_server_follows_the_broker_through_a_restart()
    {
        var broker = await Mosquitto.StartAsync();
        var port = broker.Port;
        await using var server = await StartServerAsync(broker, new Dictionary<string, string>
        {
            ["Mqtt:MaxSessions"] = "1",
            ["Mqtt:ReconnectDelay"] = "00:00:00.200",
        });
        var mqtt = TransportEndpoint.Parse($"mqtt://127.0.0.1:{port}/{Prefix}");
        var bridge = server.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<MqttBridge>().Single();
        for (var waited = 0; bridge.Open != 0 && waited < 100; waited++)
        {
            // The start-up probe's session ends when its close arrives.
            await Task.Delay(50);
        }

        await using (var only = await PurrConnection.ConnectAsync(server.Address, mqtt, new PurrConnectionOptions()))
        {
            var refused = await Assert.ThrowsAsync<PurrConnectionException>(() => PurrConnection.ConnectAsync(server.Address, mqtt, new PurrConnectionOptions()));
            Assert.Contains("refused the connection (Unavailable)", refused.Message, StringComparison.Ordinal);
            await only.PingAsync();
        }

        await broker.DisposeAsync();
        await using var restarted = await Mosquitto.StartAsync(port);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var again = await PurrConnection.ConnectAsync(server.Address, mqtt, new PurrConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(2) });
                await again.PingAsync();
                break;
            }
            catch (PurrConnectionException) when (attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    private static string MqttIdOf(byte seed) => Base64Url.Encode(Enumerable.Repeat(seed, 16).ToArray());

    private static Task<RunningServer> StartServerAsync(Mosquitto broker, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string> { ["Mqtt:Endpoint"] = $"mqtt://127.0.0.1:{broker.Port}/{Prefix}" };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return StartConnectedAsync(settings);
    }

    /// <summary>Starts purrd and waits until its bridge has subscribed at the broker.</summary>
    private static async Task<RunningServer> StartConnectedAsync(Dictionary<string, string> settings)
    {
        var server = await RunningServer.StartAsync(settings: settings);
        var address = server.Address;
        var mqtt = TransportEndpoint.Parse(settings["Mqtt:Endpoint"]);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var probe = await PurrConnection.ConnectAsync(address, mqtt, new PurrConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(1) });
                return server;
            }
            catch (PurrConnectionException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A client of the broker that records everything published under the prefix, as the broker sees it.</summary>
    private sealed class Spy : IAsyncDisposable
    {
        private readonly IMqttClient client;

        private Spy(IMqttClient client) => this.client = client;

        public ConcurrentQueue<(string Topic, byte[] Payload)> Messages { get; } = new();

        public static async Task<Spy> StartAsync(int port)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var spy = new Spy(client);
            client.ApplicationMessageReceivedAsync += e =>
            {
                spy.Messages.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
                return Task.CompletedTask;
            };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build());
            await client.SubscribeAsync("#");
            return spy;
        }

        public async ValueTask DisposeAsync()
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
    }
}
