using Google.Protobuf;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol.Federation;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.ScaleOut;

/// <summary>
/// Nodes behind one identity share the replay guard (Redis): a relay packet accepted by one node is refused by every
/// other, so a proxy cannot deliver it twice by replaying it at another node of the same server.
/// </summary>
public sealed class ClusterReplayTests
{
    [Fact]
    public async Task A_relay_packet_accepted_by_one_node_is_refused_as_seen_by_another()
    {
        await using var cluster = await Cluster.StartAsync(2);
        using var key = Ed25519KeyPair.Generate();
        await using var recipient = await PurrConnection.ConnectAsync(cluster[0]);
        var mailbox = await recipient.CreateMailboxAsync(key);

        // A packet sealed to the cluster's own key, handed to node 0 as its own destination, then the same bytes to node 1.
        await using var first = await PurrConnection.ConnectAsync(cluster[0]);
        var keys = await first.RelayKeysAsync(cluster[0]);
        using var ephemeral = RelayPacket.NewEphemeral(SystemRandomSource.Instance);
        var request = new Request { Id = 1, SendMessage = new SendMessage { SendId = ByteString.CopyFrom(mailbox.SendId), Payload = ByteString.CopyFromUtf8("once") } };
        var relayed = new RelayedRequest { Request = request.ToByteString(), SentAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
        var (packet, _) = RelayPacket.Seal(keys.X25519Key, ephemeral, relayed.ToByteArray(), SystemRandomSource.Instance);
        Request Forward() => new() { ProxyForward = new ProxyForward { Destination = cluster[0].ToString(), Packet = ByteString.CopyFrom(packet) } };

        Assert.Equal(ServerFrame.BodyOneofCase.RelayResult, (await first.RequestAsync(Forward(), signer: null)).BodyCase);
        await using var second = await PurrConnection.ConnectAsync(cluster[1]);
        var replayed = await Assert.ThrowsAsync<PurrProtocolException>(() => second.RequestAsync(Forward(), signer: null));
        Assert.Equal(ErrorCode.PacketRefused, replayed.Code);
        Assert.Contains("seen before", replayed.Detail, StringComparison.Ordinal);

        // Delivered once.
        Assert.Equal("once"u8.ToArray(), (await recipient.FetchAsync(mailbox.ReceiveId, key))!.Payload);
        await recipient.AckAsync(mailbox.ReceiveId, (await recipient.FetchAsync(mailbox.ReceiveId, key))!.MessageId, key);
        Assert.Null(await recipient.FetchAsync(mailbox.ReceiveId, key));
    }
}
