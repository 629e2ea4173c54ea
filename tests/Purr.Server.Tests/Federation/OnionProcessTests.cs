using System.Text.Json;
using Google.Protobuf;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Onion routes (PROTOCOL.md section 15.5) over four real purrd processes (the native AOT binary too, in
/// scripts/test-aot.sh): a client of A reaches a mailbox on D through A → B → C; each server's own view (its links and
/// its capture of what it peeled) holds only its neighbours; every packet and answer has one size on every hop; and
/// tampered, replayed, misrouted and interrupted routes each get their documented error, naming the hop to the client only.
/// </summary>
public sealed class OnionProcessTests
{
    internal static readonly string Purrctl = Path.Combine(AppContext.BaseDirectory, "purrctl.dll");

    private static readonly string[] Open =
        ["--storage", "memory", "--Federation:Mode", "open", "--Federation:AllowPrivateAddresses", "true", "--Federation:DebugCaptureOnionHops", "true"];

    [Fact]
    public async Task A_route_A_B_C_delivers_to_D_each_server_learns_only_its_neighbours_and_every_packet_has_one_size()
    {
        using var dataA = new TemporaryDirectory();
        using var dataB = new TemporaryDirectory();
        using var dataC = new TemporaryDirectory();
        using var dataD = new TemporaryDirectory();
        using var a = await PurrdProcess.StartAsync(dataA.Path, Open);
        using var b = await PurrdProcess.StartAsync(dataB.Path, Open);
        using var c = await PurrdProcess.StartAsync(dataC.Path, Open);
        using var d = await PurrdProcess.StartAsync(dataD.Path, Open);
        await using var tapA = WireTap.To(a.Address.Port);
        await using var tapC = WireTap.To(c.Address.Port);
        var tappedC = c.Address with { Port = tapC.Port };

        await using var recipient = await PurrConnection.ConnectAsync(d.Address);
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);

        // The client's only connection is to A (through the tap); every further key is asked of the server before it.
        await using var sender = await PurrConnection.ConnectAsync(a.Address with { Port = tapA.Port });
        var route = new List<RelayDestination> { await sender.RelayKeysAsync(a.Address) };
        route.Add(await sender.RelayKeysAsync(route, b.Address));
        route.Add(await sender.RelayKeysAsync(route, tappedC));
        var destination = await sender.RelayKeysAsync(route, d.Address);

        var sizes = new List<(long ClientUp, long ClientDown, long LinkUp, long LinkDown)>();
        foreach (var length in new[] { 1, 16_000, 2 })
        {
            var before = (tapA.Upstream, tapA.Downstream, tapC.Upstream, tapC.Downstream);
            await sender.SendRelayedAsync(destination, mailbox.SendId, new byte[length], route: route);
            await WaitUntilAsync(() => tapA.Downstream > before.Item2);
            sizes.Add((tapA.Upstream - before.Item1, tapA.Downstream - before.Item2, tapC.Upstream - before.Item3, tapC.Downstream - before.Item4));
        }

        // A refused request (unknown mailbox) costs the same bytes as a delivered one, on every hop.
        var refusedBefore = (tapA.Upstream, tapA.Downstream, tapC.Upstream, tapC.Downstream);
        await Assert.ThrowsAsync<PurrProtocolException>(() => sender.SendRelayedAsync(destination, new byte[16], new byte[5], route: route));
        await WaitUntilAsync(() => tapA.Downstream > refusedBefore.Item2);
        sizes.Add((tapA.Upstream - refusedBefore.Item1, tapA.Downstream - refusedBefore.Item2, tapC.Upstream - refusedBefore.Item3, tapC.Downstream - refusedBefore.Item4));

        Assert.All(sizes, s => Assert.Equal(sizes[0], s));
        Assert.InRange(sizes[0].ClientUp, OnionPacket.PacketBytes, OnionPacket.PacketBytes + 64);
        Assert.InRange(sizes[0].ClientDown, OnionPacket.ReplyBytes, OnionPacket.ReplyBytes + 64);
        Assert.InRange(sizes[0].LinkUp, OnionPacket.PacketBytes, OnionPacket.PacketBytes + 64);
        Assert.InRange(sizes[0].LinkDown, OnionPacket.ReplyBytes, OnionPacket.ReplyBytes + 64);

        var received = 0;
        while (await recipient.FetchAsync(mailbox.ReceiveId, key) is { } message)
        {
            await recipient.AckAsync(mailbox.ReceiveId, message.MessageId, key);
            received++;
        }

        Assert.Equal(3, received);

        // Each server's view: its links go only to the next server, and what it peeled names only its neighbours.
        var (fa, fb, fc, fd) = (a.Address.Fingerprint, b.Address.Fingerprint, c.Address.Fingerprint, d.Address.Fingerprint);
        var viewA = await FederationStatusAsync(dataA.Path);
        var viewB = await FederationStatusAsync(dataB.Path);
        var viewC = await FederationStatusAsync(dataC.Path);
        var viewD = await FederationStatusAsync(dataD.Path);
        Assert.Equal([fb], Strings(viewA, "linkedTo"));
        Assert.Equal([fc], Strings(viewB, "linkedTo"));
        Assert.Equal([fd], Strings(viewC, "linkedTo"));
        Assert.Empty(Strings(viewD, "linkedTo"));
        Assert.All(Strings(viewA, "onionCapture"), e => Assert.Equal($"from a client: forward to {fb}", e));
        Assert.All(Strings(viewB, "onionCapture"), e => Assert.True(e == $"from {fa}: forward to {fc}" || e == $"from {fa}: keys of {fc}", e));
        Assert.All(Strings(viewC, "onionCapture"), e => Assert.True(e == $"from {fb}: exit to {fd}" || e == $"from {fb}: keys of {fd}", e));
        Assert.Empty(Strings(viewD, "onionCapture"));
        Assert.Contains($"from {fb}: exit to {fd}", Strings(viewC, "onionCapture"));
        Assert.Equal(5, viewC.GetProperty("onionExited").GetInt64()); // D's keys, three sends and the refused one
    }

    [Fact]
    public async Task Tampered_replayed_misrouted_and_interrupted_routes_get_their_errors_and_lose_nothing()
    {
        using var dataA = new TemporaryDirectory();
        using var dataB = new TemporaryDirectory();
        using var dataC = new TemporaryDirectory();
        var portC = FreePorts.Next();
        string[] fast = [.. Open, "--Federation:ReconnectDelay", "00:00:00.200"];
        using var a = await PurrdProcess.StartAsync(dataA.Path, fast);
        using var b = await PurrdProcess.StartAsync(dataB.Path, fast);
        var c = await PurrdProcess.StartAsync(dataC.Path, [.. fast, "--urls", $"http://127.0.0.1:{portC}"]);
        try
        {
            await using var sender = await PurrConnection.ConnectAsync(a.Address);
            var route = new List<RelayDestination> { await sender.RelayKeysAsync(a.Address) };
            route.Add(await sender.RelayKeysAsync(route, b.Address));
            route.Add(await sender.RelayKeysAsync(route, c.Address));
            Assert.Equal(ServerFrame.BodyOneofCase.Pong, (await sender.OnionRequestAsync(route, new Request { Ping = new Ping() })).BodyCase);

            // Tampered: a bit flipped in the payload; the first server refuses it and says so to the client only.
            var (tampered, tamperedKeys) = Build(route);
            tampered[OnionPacket.PacketBytes - 100] ^= 1;
            var (hop, error) = await ErrorAsync(sender, tampered, tamperedKeys);
            Assert.Equal((0, ErrorCode.PacketRefused), (hop, error.Code));

            // Replayed: the second time, the first server has seen it.
            var (packet, keys) = Build(route);
            Assert.Equal(ServerFrame.BodyOneofCase.OnionResult, (await sender.RequestAsync(Forward(packet), signer: null)).BodyCase);
            (hop, error) = await ErrorAsync(sender, packet, keys);
            Assert.Equal((0, ErrorCode.PacketRefused), (hop, error.Code));
            Assert.Contains("seen before", error.Detail, StringComparison.Ordinal);

            // A next server nobody listens at: the server before it answers RELAY_FAILED, sealed; the client learns which.
            using var nowhereKey = X25519KeyPair.Generate();
            var nowhere = new RelayDestination(new PurrAddress(Ed25519KeyPair.Generate().PublicKey, "127.0.0.1", FreePorts.Next()), nowhereKey.PublicKey);
            var lost = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.OnionRequestAsync([route[0], route[1], nowhere], new Request { Ping = new Ping() }));
            Assert.Equal(ErrorCode.RelayFailed, lost.Code);
            Assert.StartsWith("server 2 of the route", lost.Detail, StringComparison.Ordinal);

            // A wrong-size packet is refused plainly (no layer opens, so nothing can be sealed).
            var wrong = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.RequestAsync(Forward(new byte[OnionPacket.PacketBytes - 1]), signer: null));
            Assert.Equal(ErrorCode.PacketRefused, wrong.Code);

            // The last server goes down: the one before it says so; when it is back, the same route works again.
            c.Dispose();
            var down = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.OnionRequestAsync(route, new Request { Ping = new Ping() }));
            Assert.Equal(ErrorCode.RelayFailed, down.Code);
            Assert.StartsWith("server 2 of the route", down.Detail, StringComparison.Ordinal);
            c = await PurrdProcess.StartAsync(dataC.Path, [.. fast, "--urls", $"http://127.0.0.1:{portC}"]);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    Assert.Equal(ServerFrame.BodyOneofCase.Pong, (await sender.OnionRequestAsync(route, new Request { Ping = new Ping() })).BodyCase);
                    break;
                }
                catch (PurrProtocolException e) when (e.Code == ErrorCode.RelayFailed && attempt < 50)
                {
                    await Task.Delay(200);
                }
            }

            // No server logged a hop of the route (their output is complete once they stopped).
            foreach (var server in new[] { a, b })
            {
                await server.SignalAsync("TERM");
                await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
                var log = await server.OutputAsync();
                Assert.DoesNotContain(c.Address.Fingerprint, log, StringComparison.Ordinal);
                Assert.DoesNotContain(nowhere.Address.Fingerprint, log, StringComparison.Ordinal);
            }
        }
        finally
        {
            c.Dispose();
        }
    }

    private static (byte[] Packet, OnionReplyKeys Keys) Build(IReadOnlyList<RelayDestination> route) =>
        OnionPacket.Build(
            [.. route.Select(h => h.X25519Key)], [.. route.Skip(1).Select(h => h.Address.ToString())],
            new Request { Id = 1, Ping = new Ping() }.ToByteArray(), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), SecureRandom.Bytes(32), SystemRandomSource.Instance);

    private static Request Forward(byte[] packet) => new() { OnionForward = new OnionForward { Packet = ByteString.CopyFrom(packet) } };

    private static async Task<(int Hop, Error Error)> ErrorAsync(PurrConnection sender, byte[] packet, OnionReplyKeys keys)
    {
        var answer = await sender.RequestAsync(Forward(packet), signer: null);
        var opened = OnionPacket.OpenReply(keys, answer.OnionResult.Reply.Span)!;
        var frame = ServerFrame.Parser.ParseFrom(opened.Message);
        Assert.Equal(ServerFrame.BodyOneofCase.Error, frame.BodyCase);
        return (opened.Hop, frame.Error);
    }

    private static async Task<JsonElement> FederationStatusAsync(string dataDirectory)
    {
        var (exit, output) = await ProcessRun.RunAsync("dotnet", [Purrctl, "--data", dataDirectory, "--json", "status"]);
        Assert.True(exit == 0, output);
        return JsonDocument.Parse(output).RootElement.GetProperty("federation").Clone();
    }

    private static List<string> Strings(JsonElement section, string name) =>
        section.TryGetProperty(name, out var list) ? [.. list.EnumerateArray().Select(e => e.GetString()!)] : [];

    private static Task WaitUntilAsync(Func<bool> condition) => FederationProcessTests.WaitUntilAsync(condition);

}
