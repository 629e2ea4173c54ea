using Google.Protobuf;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Federation between real purrd processes on loopback (the native AOT binary too: scripts/test-aot.sh runs these): a
/// client of server A reaches mailboxes and rooms on server B through A, the link's packets all have one size on the
/// wire, the policy (allowlist, pre-shared keys) holds, and every failure gives its documented error and loses nothing.
/// </summary>
public sealed class FederationProcessTests
{
    private static readonly string[] Open = ["--Federation:Mode", "open", "--Federation:AllowPrivateAddresses", "true"];

    [Fact]
    public async Task A_client_of_A_sends_to_a_secured_mailbox_on_B_through_A_and_joins_and_speaks_in_a_room_there()
    {
        using var dataA = new TemporaryDirectory();
        using var dataB = new TemporaryDirectory();
        using var a = await PurrdProcess.StartAsync(dataA.Path, ["--storage", "memory", .. Open]);
        using var b = await PurrdProcess.StartAsync(dataB.Path, ["--storage", "memory", .. Open]);

        await using var recipient = await PurrConnection.ConnectAsync(b.Address);
        await using var sender = await PurrConnection.ConnectAsync(a.Address);
        using var recipientKey = Ed25519KeyPair.Generate();
        using var senderKey = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(recipientKey);
        await recipient.SecureMailboxAsync(mailbox.ReceiveId, recipientKey, senderKey.PublicKey);

        var relay = await sender.RelayKeysAsync(b.Address);
        await sender.SendRelayedAsync(relay, mailbox.SendId, "through A"u8.ToArray(), senderKey);
        Assert.Equal("through A"u8.ToArray(), (await recipient.FetchAsync(mailbox.ReceiveId, recipientKey))!.Payload);

        // The secured mailbox checks the sender's signature, which covers the packet's ephemeral key: without it, AUTH.
        var unsigned = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.SendRelayedAsync(relay, mailbox.SendId, "no signature"u8.ToArray()));
        Assert.Equal(ErrorCode.Auth, unsigned.Code);

        // A persistent room on B: created by someone there, joined and spoken in by the sender through A.
        await using var ownerConnection = await PurrConnection.ConnectAsync(b.Address);
        await using var owner = await RoomSession.CreateAsync(ownerConnection, RoomKind.Persistent, "owner");
        using var senderMailboxKey = Ed25519KeyPair.Generate();
        var senderMailbox = await recipient.CreateMailboxAsync(senderMailboxKey); // the sender's own mailbox on B, for room traffic
        using var member = Ed25519KeyPair.Generate();
        using var memberDh = X25519KeyPair.Generate();
        var join = new JoinRoom
        {
            RoomId = ByteString.CopyFrom(owner.RoomId),
            JoinSecret = owner.Link.Invite.JoinSecret,
            MemberKey = ByteString.CopyFrom(member.PublicKey),
            MemberDhKey = ByteString.CopyFrom(memberDh.PublicKey),
            MailboxReceiveId = ByteString.CopyFrom(senderMailbox.ReceiveId),
            JoinTag = ByteString.CopyFrom(SecureRandom.Bytes(32)),
        };
        var joined = await sender.ForwardAsync(
            relay, new Request { JoinRoom = join },
            (nonce, bytes) => member.Sign(SignedBytes.MemberRequest(nonce, bytes)),
            (nonce, bytes) => senderMailboxKey.Sign(SignedBytes.RecipientRequest(nonce, bytes)));
        Assert.Equal(ServerFrame.BodyOneofCase.RoomJoined, joined.BodyCase);

        var ciphertext = "room words"u8.ToArray();
        var send = new RoomSend
        {
            RoomId = ByteString.CopyFrom(owner.RoomId),
            MemberKey = ByteString.CopyFrom(member.PublicKey),
            Ciphertext = ByteString.CopyFrom(ciphertext),
            Signature = ByteString.CopyFrom(member.Sign(SignedBytes.RoomMessage(owner.RoomId, [], ciphertext))),
        };
        var sent = await sender.ForwardAsync(relay, new Request { RoomSend = send }, (nonce, bytes) => member.Sign(SignedBytes.MemberRequest(nonce, bytes)));
        Assert.Equal(ServerFrame.BodyOneofCase.Ok, sent.BodyCase);

        // The owner sees the member join, then its message (not sealed under the room key here, so "undecryptable").
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var seen = new List<RoomUpdate>();
        await foreach (var update in owner.Updates.ReadAllAsync(wait.Token))
        {
            seen.Add(update);
            if (update is RoomUndecryptable or RoomText)
            {
                break;
            }
        }

        Assert.Contains(seen, u => u is RoomMemberJoined j && j.Member.SequenceEqual(member.PublicKey));
        Assert.Contains(seen, u => u is RoomUndecryptable x && x.Sender.SequenceEqual(member.PublicKey));
    }

    [Fact]
    public async Task A_client_of_A_holds_a_live_room_session_on_B_through_a_relayed_connection()
    {
        using var dataA = new TemporaryDirectory();
        using var dataB = new TemporaryDirectory();
        using var a = await PurrdProcess.StartAsync(dataA.Path, ["--storage", "memory", .. Open]);
        using var b = await PurrdProcess.StartAsync(dataB.Path, ["--storage", "memory", .. Open]);

        // A transient room on B (its members must be connected: relayed packets cannot hold one), joined from A's client.
        await using var ownerConnection = await PurrConnection.ConnectAsync(b.Address);
        await using var owner = await RoomSession.CreateAsync(ownerConnection, RoomKind.Transient, "owner on B");
        await using var home = await PurrConnection.ConnectAsync(a.Address);
        await using var relayed = await PurrConnection.ConnectThroughAsync(home, b.Address);
        Assert.True(relayed.IsRelayed);
        await using var member = await RoomSession.JoinAsync(relayed, owner.Link.ToString(), "member on A");

        await owner.SendTextAsync("to everyone, from B");
        Assert.Equal("to everyone, from B", (await NextTextAsync(member)).Text);
        await member.SendTextAsync("back, through A");
        Assert.Equal("back, through A", (await NextTextAsync(owner)).Text);

        var viewA = await FederationStatusAsync(dataA.Path);
        var viewB = await FederationStatusAsync(dataB.Path);
        Assert.Equal(1, viewA.GetProperty("tunnelsCarried").GetInt32());
        Assert.Equal(1, viewB.GetProperty("tunnelsServed").GetInt32());

        // B's end goes (SIGTERM): the relayed connection ends, A's client keeps its own connection.
        await StopAsync(b);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await foreach (var _ in relayed.Events.ReadAllAsync(wait.Token))
        {
        }

        await home.PingAsync();
        await WaitUntilAsync(() => FederationStatusAsync(dataA.Path).Result.GetProperty("tunnelsCarried").GetInt32() == 0);
    }

    private static async Task<RoomText> NextTextAsync(RoomSession session)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await foreach (var update in session.Updates.ReadAllAsync(wait.Token))
        {
            if (update is RoomText text)
            {
                return text;
            }
        }

        throw new InvalidOperationException("the room session ended");
    }

    private static async Task<System.Text.Json.JsonElement> FederationStatusAsync(string dataDirectory)
    {
        var (exit, output) = await ProcessRun.RunAsync("dotnet", [OnionProcessTests.Purrctl, "--data", dataDirectory, "--json", "status"]);
        Assert.True(exit == 0, output);
        return System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("federation").Clone();
    }

    [Fact]
    public async Task Every_packet_on_the_link_has_the_same_size_on_the_wire_whatever_it_carries()
    {
        using var dataA = new TemporaryDirectory();
        using var dataB = new TemporaryDirectory();
        using var a = await PurrdProcess.StartAsync(dataA.Path, ["--storage", "memory", .. Open]);
        using var b = await PurrdProcess.StartAsync(dataB.Path, ["--storage", "memory", .. Open]);
        await using var tap = WireTap.To(b.Address.Port);
        var tapped = b.Address with { Port = tap.Port };

        await using var recipient = await PurrConnection.ConnectAsync(b.Address);
        await using var sender = await PurrConnection.ConnectAsync(a.Address);
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);
        var relay = await sender.RelayKeysAsync(tapped);

        var sizes = new List<(long Up, long Down)>();
        foreach (var length in new[] { 1, 10_000, 2, 16_000, 3 })
        {
            var (up, down) = (tap.Upstream, tap.Downstream);
            await sender.SendRelayedAsync(relay, mailbox.SendId, new byte[length]);
            await WaitUntilAsync(() => tap.Downstream > down);
            sizes.Add((tap.Upstream - up, tap.Downstream - down));
        }

        // A too-large request and a refused one (unknown mailbox) cost the same bytes as a delivered one.
        var (beforeUp, beforeDown) = (tap.Upstream, tap.Downstream);
        await Assert.ThrowsAsync<PurrProtocolException>(() => sender.SendRelayedAsync(relay, new byte[16], new byte[5]));
        await WaitUntilAsync(() => tap.Downstream > beforeDown);
        sizes.Add((tap.Upstream - beforeUp, tap.Downstream - beforeDown));

        Assert.All(sizes, s => Assert.Equal(sizes[0], s));
        Assert.True(sizes[0].Up > RelayPacket.PacketBytes && sizes[0].Up < RelayPacket.PacketBytes + 64, $"{sizes[0].Up} bytes up");
        Assert.True(sizes[0].Down > RelayPacket.PacketBytes && sizes[0].Down < RelayPacket.PacketBytes + 64, $"{sizes[0].Down} bytes down");
    }

    [Fact]
    public async Task An_allowlist_with_pre_shared_keys_accepts_its_peer_and_refuses_the_rest_with_the_reason_on_both_sides()
    {
        var psk = Base64Url.Encode(SecureRandom.Bytes(32));
        var wrong = Base64Url.Encode(SecureRandom.Bytes(32));
        using var dataA = new TemporaryDirectory();
        using var dataC = new TemporaryDirectory();
        using var dataD = new TemporaryDirectory();
        using var dataE = new TemporaryDirectory();
        using var dataF = new TemporaryDirectory();
        // The allowlisting server C is configured last: it needs A's and D's addresses, and they need C's. Keys come first.
        var keyA = ServerKey(dataA.Path);
        var keyD = ServerKey(dataD.Path);
        var keyE = ServerKey(dataE.Path);
        using var c = await PurrdProcess.StartAsync(dataC.Path,
            "--storage", "memory", "--Federation:Mode", "allowlist",
            "--Federation:Peers:0:Address", $"purr://{keyA}@127.0.0.1:1", "--Federation:Peers:0:PreSharedKey", psk,
            "--Federation:Peers:1:Address", $"purr://{keyD}@127.0.0.1:1", "--Federation:Peers:1:PreSharedKey", psk,
            "--Federation:Peers:2:Address", $"purr://{keyE}@127.0.0.1:1", "--Federation:Peers:2:PreSharedKey", psk);
        using var a = await PurrdProcess.StartAsync(dataA.Path,
            ["--storage", "memory", .. Open, "--Federation:Peers:0:Address", c.Address.ToString(), "--Federation:Peers:0:PreSharedKey", psk]);
        using var d = await PurrdProcess.StartAsync(dataD.Path,
            ["--storage", "memory", .. Open, "--Federation:Peers:0:Address", c.Address.ToString(), "--Federation:Peers:0:PreSharedKey", wrong]);
        using var e = await PurrdProcess.StartAsync(dataE.Path, ["--storage", "memory", .. Open]);
        using var f = await PurrdProcess.StartAsync(dataF.Path, ["--storage", "memory", .. Open]);

        await using var recipient = await PurrConnection.ConnectAsync(c.Address);
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);

        await using (var viaA = await PurrConnection.ConnectAsync(a.Address))
        {
            await viaA.SendRelayedAsync(await viaA.RelayKeysAsync(c.Address), mailbox.SendId, "allowed"u8.ToArray());
            var allowed = await recipient.FetchAsync(mailbox.ReceiveId, key);
            Assert.Equal("allowed"u8.ToArray(), allowed!.Payload);
            await recipient.AckAsync(mailbox.ReceiveId, allowed.MessageId, key);
        }

        Assert.Contains("the pre-shared key does not match", await RefusalAsync(d, c));
        Assert.Contains("requires a pre-shared key", await RefusalAsync(e, c));
        Assert.Contains("allowlist", await RefusalAsync(f, c));

        // C refused nothing into its mailboxes, and says in its own log why it refused each.
        Assert.Null(await recipient.FetchAsync(mailbox.ReceiveId, key));
        await StopAsync(c);
        var log = await c.OutputAsync();
        Assert.Contains("link was refused: the pre-shared key does not match", log, StringComparison.Ordinal);
        Assert.Contains("link was refused: this server requires a pre-shared key with yours", log, StringComparison.Ordinal);
        Assert.Contains("link was refused: this server federates only with the servers on its allowlist", log, StringComparison.Ordinal);

        // D's own log says why its link failed (the wrong key): the refusal is clear on both sides.
        await StopAsync(d);
        Assert.Contains("the pre-shared key does not match", await d.OutputAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tampered_replayed_misaddressed_and_unreachable_packets_get_their_errors_and_lose_nothing()
    {
        using var dataA = new TemporaryDirectory();
        using var dataB = new TemporaryDirectory();
        using var dataOff = new TemporaryDirectory();
        using var dataClosed = new TemporaryDirectory();
        var port = FreePorts.Next();
        using var a = await PurrdProcess.StartAsync(dataA.Path, ["--storage", "memory", .. Open, "--Federation:ReconnectDelay", "00:00:00.200"]);
        var b = await PurrdProcess.StartAsync(dataB.Path, ["--storage", "sqlite", .. Open, "--urls", $"http://127.0.0.1:{port}"]);
        using var off = await PurrdProcess.StartAsync(dataOff.Path, "--storage", "memory");
        using var publicOnly = await PurrdProcess.StartAsync(dataClosed.Path, "--storage", "memory", "--Federation:Mode", "open");
        try
        {
            using var key = Ed25519KeyPair.Generate();
            MailboxInfo mailbox;
            await using (var recipient = await PurrConnection.ConnectAsync(b.Address))
            {
                mailbox = await recipient.CreateMailboxAsync(key);
            }

            await using var sender = await PurrConnection.ConnectAsync(a.Address);
            var relay = await sender.RelayKeysAsync(b.Address);
            await sender.SendRelayedAsync(relay, mailbox.SendId, "first"u8.ToArray());

            // Tampered: one bit flipped anywhere in the sealed part.
            var (packet, _) = Packet(relay, mailbox.SendId, "tampered"u8.ToArray());
            packet[RelayPacket.PacketBytes / 2] ^= 1;
            Assert.Equal(ErrorCode.PacketRefused, await ForwardErrorAsync(sender, b.Address, packet));

            // Replayed: the same packet twice is delivered once.
            var (replayed, _) = Packet(relay, mailbox.SendId, "once"u8.ToArray());
            var first = await sender.RequestAsync(ProxyForward(b.Address, replayed), signer: null);
            Assert.Equal(ServerFrame.BodyOneofCase.RelayResult, first.BodyCase);
            Assert.Equal(ErrorCode.PacketRefused, await ForwardErrorAsync(sender, b.Address, replayed));

            // Wrong size: refused by the proxy before it goes anywhere.
            Assert.Equal(ErrorCode.PacketRefused, await ForwardErrorAsync(sender, b.Address, new byte[RelayPacket.PacketBytes - 1]));

            // A next hop whose key is not the one at that address, and one where nobody listens.
            var impostor = b.Address with { IdentityKey = Ed25519KeyPair.Generate().PublicKey };
            var mismatch = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.RelayKeysAsync(impostor));
            Assert.Equal(ErrorCode.RelayFailed, mismatch.Code);
            Assert.Contains("different key", mismatch.Detail, StringComparison.Ordinal);
            var nowhere = new PurrAddress(Ed25519KeyPair.Generate().PublicKey, "127.0.0.1", FreePorts.Next());
            Assert.Equal(ErrorCode.RelayFailed, (await Assert.ThrowsAsync<PurrProtocolException>(() => sender.RelayKeysAsync(nowhere))).Code);

            // A server with federation off refuses to relay; an open one refuses private addresses unless allowed.
            await using (var viaOff = await PurrConnection.ConnectAsync(off.Address))
            {
                Assert.Equal(ErrorCode.PeerRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => viaOff.RelayKeysAsync(b.Address))).Code);
            }

            await using (var viaPublic = await PurrConnection.ConnectAsync(publicOnly.Address))
            {
                var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => viaPublic.RelayKeysAsync(b.Address));
                Assert.Equal(ErrorCode.PeerRefused, refused.Code);
                Assert.Contains("private", refused.Detail, StringComparison.Ordinal);
            }

            // The destination goes down: RELAY_FAILED with when to retry; it comes back with its data, and the link with it.
            b.Dispose();
            var down = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.SendRelayedAsync(relay, mailbox.SendId, "lost?"u8.ToArray()));
            Assert.Equal(ErrorCode.RelayFailed, down.Code);
            b = await PurrdProcess.StartAsync(dataB.Path, ["--storage", "sqlite", .. Open, "--urls", $"http://127.0.0.1:{port}"]);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await sender.SendRelayedAsync(relay, mailbox.SendId, "after the restart"u8.ToArray());
                    break;
                }
                catch (PurrProtocolException e) when (e.Code == ErrorCode.RelayFailed && attempt < 50)
                {
                    await Task.Delay(200);
                }
            }

            await using var back = await PurrConnection.ConnectAsync(b.Address);
            var received = new List<string>();
            while (await back.FetchAsync(mailbox.ReceiveId, key) is { } message)
            {
                received.Add(System.Text.Encoding.UTF8.GetString(message.Payload));
                await back.AckAsync(mailbox.ReceiveId, message.MessageId, key);
            }

            Assert.Equal(["first", "once", "after the restart"], received);
        }
        finally
        {
            b.Dispose();
        }
    }

    private static async Task<string> RefusalAsync(PurrdProcess proxy, PurrdProcess destination)
    {
        await using var client = await PurrConnection.ConnectAsync(proxy.Address);
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => client.RelayKeysAsync(destination.Address));
        Assert.Equal(ErrorCode.PeerRefused, refused.Code);
        return refused.Detail;
    }

    private static (byte[] Packet, RelayReplyKey Reply) Packet(RelayDestination relay, byte[] sendId, byte[] payload)
    {
        var request = new Request { Id = 1, SendMessage = new SendMessage { SendId = ByteString.CopyFrom(sendId), Payload = ByteString.CopyFrom(payload) } };
        var relayed = new RelayedRequest { Request = request.ToByteString(), SentAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
        using var ephemeral = RelayPacket.NewEphemeral(SystemRandomSource.Instance);
        return RelayPacket.Seal(relay.X25519Key, ephemeral, relayed.ToByteArray(), SystemRandomSource.Instance);
    }

    private static Request ProxyForward(PurrAddress destination, byte[] packet) =>
        new() { ProxyForward = new ProxyForward { Destination = destination.ToString(), Packet = ByteString.CopyFrom(packet) } };

    private static async Task<ErrorCode> ForwardErrorAsync(PurrConnection sender, PurrAddress destination, byte[] packet) =>
        (await Assert.ThrowsAsync<PurrProtocolException>(() => sender.RequestAsync(ProxyForward(destination, packet), signer: null))).Code;

    /// <summary>The fingerprint a data directory's server will have: purrd makes server.key at first start, so the test makes it first.</summary>
    private static string ServerKey(string dataDirectory)
    {
        using var identity = Identity.ServerIdentityFile.LoadOrCreate(dataDirectory);
        return identity.Fingerprint;
    }

    private static async Task StopAsync(PurrdProcess purrd)
    {
        await purrd.SignalAsync("TERM");
        await purrd.WaitForExitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Waits (up to 2 s) until a tap has seen the bytes, then a little more for the rest of a frame.</summary>
    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; !condition() && waited < 100; waited++)
        {
            await Task.Delay(20);
        }

        await Task.Delay(50); // the rest of the frame, if it came in pieces
    }
}
