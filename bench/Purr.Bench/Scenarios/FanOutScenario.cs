using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Purr.Bench.Clients;
using Purr.Bench.Targets;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Bench.Scenarios;

/// <summary>S2: one sender, a room of N members; deliveries per second and p99 latency to the last recipient.</summary>
internal static class FanOutScenario
{
    public const string Name = "S2 room fan-out";

    /// <param name="nodes">Several processes of one deployment: the owner sends through the first, members join round-robin.</param>
    public static async Task<Measurement> PurrAsync(ServerUnderTest server, RunSize size, IReadOnlyList<PurrAddress>? nodes = null)
    {
        var address = server.PurrAddress!;
        nodes ??= [address];
        var owner = await PurrConnection.ConnectAsync(nodes[0]);
        using var ownerKey = Ed25519KeyPair.Generate();
        var joinSecret = SecureRandom.Bytes(32);
        var created = await owner.RequestAsync(new Request
        {
            CreateRoom = new CreateRoom
            {
                Kind = RoomKind.Transient, MemberKey = ByteString.CopyFrom(ownerKey.PublicKey), MemberDhKey = ByteString.CopyFrom(SecureRandom.Bytes(32)),
                JoinSecret = ByteString.CopyFrom(joinSecret),
            },
        }, b => ownerKey.Sign(SignedBytes.MemberRequest(owner.SessionNonce.Span, b)));
        var roomId = created.RoomCreated.RoomId;

        // The owner is a member too: the room tells it of every join (and its events queue is bounded, holding the
        // connection's reads while full), so it reads them, or its sends' answers would wait behind them.
        _ = Task.Run(async () =>
        {
            await foreach (var _ in owner.Events.ReadAllAsync())
            {
            }
        });

        var tracker = new FanOutTracker(size.RoomMessages, size.RoomMembers - 1);
        var members = await Connecting.ManyAsync(size.RoomMembers - 1, 50, async index =>
        {
            var connection = await PurrConnection.ConnectAsync(nodes[(index + 1) % nodes.Count]);
            using var key = Ed25519KeyPair.Generate();
            await connection.RequestAsync(new Request
            {
                JoinRoom = new JoinRoom
                {
                    RoomId = roomId, JoinSecret = ByteString.CopyFrom(joinSecret), MemberKey = ByteString.CopyFrom(key.PublicKey),
                    MemberDhKey = ByteString.CopyFrom(SecureRandom.Bytes(32)),
                },
            }, b => key.Sign(SignedBytes.MemberRequest(connection.SessionNonce.Span, b)));
            _ = Task.Run(async () =>
            {
                await foreach (var pushed in connection.Events.ReadAllAsync())
                {
                    if (pushed is RoomEventReceived { Event.KindCase: RoomEvent.KindOneofCase.Message } message)
                    {
                        tracker.Delivered(message.Event.Message.Ciphertext.Span);
                    }
                }
            });
            return connection;
        });

        var template = new byte[256];
        var (sent, _, start) = await ConstantRateSender.RunAsync(size.RoomRate, TimeSpan.FromSeconds((double)size.RoomMessages / size.RoomRate), (k, scheduled) =>
        {
            var ciphertext = (byte[])template.Clone();
            LatencyRecorder.Stamp(ciphertext, scheduled);
            BitConverter.TryWriteBytes(ciphertext.AsSpan(8), (int)k);
            var signature = ownerKey.Sign(SignedBytes.RoomMessage(roomId.Span, [], ciphertext));
            return owner.RequestAsync(new Request
            {
                RoomSend = new RoomSend { RoomId = roomId, MemberKey = ByteString.CopyFrom(ownerKey.PublicKey), Ciphertext = ByteString.CopyFrom(ciphertext), Signature = ByteString.CopyFrom(signature) },
            }, b => ownerKey.Sign(SignedBytes.MemberRequest(owner.SessionNonce.Span, b)));
        });

        await tracker.DrainAsync();
        var result = tracker.Result(server.Name, start, size.RoomMembers);
        foreach (var member in members)
        {
            await member.DisposeAsync();
        }

        await owner.DisposeAsync();
        return result;
    }

    public static async Task<Measurement> RelayAsync(ServerUnderTest server, RunSize size)
    {
        var tracker = new FanOutTracker(size.RoomMessages, size.RoomMembers - 1);
        var clients = await Connecting.ManyAsync(size.RoomMembers, 50, i => RelayChatClient.ConnectAsync(server.Host, server.Port, (uint)i + 1));
        foreach (var client in clients.Skip(1))
        {
            client.OnMessage = payload => tracker.Delivered(payload.Span);
        }

        var (_, _, start) = await ConstantRateSender.RunAsync(size.RoomRate, TimeSpan.FromSeconds((double)size.RoomMessages / size.RoomRate), (k, scheduled) =>
        {
            var payload = new byte[256];
            LatencyRecorder.Stamp(payload, scheduled);
            BitConverter.TryWriteBytes(payload.AsSpan(8), (int)k);
            return clients[0].BroadcastAsync(payload);
        });
        await tracker.DrainAsync();
        var result = tracker.Result(server.Name, start, size.RoomMembers);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return result;
    }

    public static async Task<Measurement> XmppAsync(ServerUnderTest server, RunSize size)
    {
        const string room = "bench@conference.localhost";
        var tracker = new FanOutTracker(size.RoomMessages, size.RoomMembers - 1);
        var clients = await Connecting.ManyAsync(size.RoomMembers, 20, i => XmppChatClient.ConnectAsync(server.Host, server.Port));
        for (var i = 0; i < clients.Count; i++)
        {
            await clients[i].JoinRoomAsync(room, $"member{i}");
            if (i > 0)
            {
                clients[i].OnMessage = payload => tracker.Delivered(payload.Span);
            }
        }

        var (_, _, start) = await ConstantRateSender.RunAsync(size.RoomRate, TimeSpan.FromSeconds((double)size.RoomMessages / size.RoomRate), (k, scheduled) =>
        {
            var payload = new byte[256];
            LatencyRecorder.Stamp(payload, scheduled);
            BitConverter.TryWriteBytes(payload.AsSpan(8), (int)k);
            return clients[0].SendGroupAsync(room, payload);
        });
        await tracker.DrainAsync();
        var result = tracker.Result(server.Name, start, size.RoomMembers);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return result;
    }

    /// <summary>Counts deliveries per message and the time the last recipient got each one.</summary>
    private sealed class FanOutTracker(int messages, int recipients)
    {
        private readonly ConcurrentDictionary<int, (int Count, long Scheduled, long Last)> perMessage = new();
        private long deliveries;
        private long lastDelivery;

        public void Delivered(ReadOnlySpan<byte> payload)
        {
            var now = Stopwatch.GetTimestamp();
            var scheduled = LatencyRecorder.ReadStamp(payload);
            var index = BitConverter.ToInt32(payload[8..]);
            perMessage.AddOrUpdate(index, _ => (1, scheduled, now), (_, old) => (old.Count + 1, old.Scheduled, Math.Max(old.Last, now)));
            Interlocked.Increment(ref deliveries);
            InterlockedMax(ref lastDelivery, now);
        }

        public async Task DrainAsync()
        {
            var expected = (long)messages * recipients;
            var last = -1L;
            var quiet = Stopwatch.GetTimestamp();
            while (Interlocked.Read(ref deliveries) < expected)
            {
                await Task.Delay(50);
                var now = Interlocked.Read(ref deliveries);
                if (now != last)
                {
                    last = now;
                    quiet = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetElapsedTime(quiet) > TimeSpan.FromSeconds(3))
                {
                    return;
                }
            }
        }

        public Measurement Result(string system, long start, int members)
        {
            var lastRecipient = perMessage.Values.Select(v => Stopwatch.GetElapsedTime(v.Scheduled, v.Last).TotalMilliseconds).Order().ToArray();
            var complete = perMessage.Values.Count(v => v.Count >= recipients);
            var p99 = lastRecipient.Length == 0 ? double.NaN : lastRecipient[Math.Clamp((int)Math.Ceiling(0.99 * lastRecipient.Length) - 1, 0, lastRecipient.Length - 1)];
            var seconds = Stopwatch.GetElapsedTime(start, Interlocked.Read(ref lastDelivery)).TotalSeconds;
            return new Measurement(Name, system, new Dictionary<string, double>
            {
                ["members"] = members,
                ["messages"] = messages,
                ["deliveries"] = Interlocked.Read(ref deliveries),
                ["expected_deliveries"] = (double)messages * recipients,
                ["complete_messages"] = complete,
                ["deliveries_per_s"] = Interlocked.Read(ref deliveries) / Math.Max(seconds, 0.001),
                ["p99_last_recipient_ms"] = p99,
            });
        }

        private static void InterlockedMax(ref long target, long value)
        {
            long current;
            while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }
}
