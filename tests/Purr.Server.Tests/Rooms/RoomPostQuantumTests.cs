using Google.Protobuf;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Rooms;

/// <summary>
/// Members give an ML-KEM-768 key with their join (PROTOCOL.md 12): the server checks it and hands it to the other
/// members, room keys are sealed to it with the hybrid, and a member without one (an older client) still gets keys.
/// </summary>
public sealed class RoomPostQuantumTests
{
    [Fact]
    public async Task A_bad_member_KEM_key_is_refused_and_a_missing_one_is_allowed()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        await using var connection = await server.ConnectAsync();
        using var member = Ed25519KeyPair.Generate();
        var join = new JoinRoom
        {
            RoomId = alice.Link.Invite.RoomId,
            JoinSecret = alice.Link.Invite.JoinSecret,
            MemberKey = ByteString.CopyFrom(member.PublicKey),
            MemberDhKey = ByteString.CopyFrom(X25519KeyPair.Generate().PublicKey),
        };
        Task<ServerFrame> Send() => connection.RequestAsync(
            new Request { JoinRoom = join }, bytes => member.Sign(Protocol.SignedBytes.MemberRequest(connection.SessionNonce.Span, bytes)));

        foreach (var bad in new[] { new byte[100], Enumerable.Repeat((byte)0xFF, MlKem768.EncapsulationKeyBytes).ToArray() })
        {
            join.MemberKemKey = ByteString.CopyFrom(bad);
            var refused = await Assert.ThrowsAsync<PurrProtocolException>(Send);
            Assert.Equal(ErrorCode.InvalidArgument, refused.Code);
            Assert.Contains("member_kem_key must be empty or an ML-KEM-768 encapsulation key", refused.Detail, StringComparison.Ordinal);
        }

        // A client from before post-quantum rooms sends none: it joins, and Alice's member list says so.
        join.MemberKemKey = ByteString.Empty;
        var joined = (await Send()).RoomJoined;
        Assert.Contains(joined.Members, m => m.MemberKey.Span.SequenceEqual(alice.MemberKey) && m.MemberKemKey.Length == MlKem768.EncapsulationKeyBytes);
        Assert.Contains(joined.Members, m => m.MemberKey.Span.SequenceEqual(member.PublicKey) && m.MemberKemKey.IsEmpty);
    }

    [Fact]
    public async Task After_a_kick_the_new_key_reaches_the_others_through_the_hybrid_seal_and_not_the_kicked()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (carol, _) = await harness.JoinAsync(alice, "Carol");
        await alice.KickAsync(carol.MemberKey);
        await alice.SendTextAsync("after the kick");
        Assert.Equal("after the kick", (await RoomHarness.TextAsync(bob, "after the kick")).Text);
    }

    [Fact]
    public async Task A_key_update_too_large_for_one_message_goes_out_in_parts_that_reach_every_member()
    {
        // 40 members: their hybrid-sealed keys (~1.4 KB each) are more than one room message holds.
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var members = new List<RoomSession>();
        for (var i = 0; i < 40; i++)
        {
            members.Add((await harness.JoinAsync(alice, $"Member {i}")).Session);
        }

        var kicked = members[^1];
        await alice.KickAsync(kicked.MemberKey);
        await alice.SendTextAsync("the new key reached everyone");
        foreach (var member in members[..^1])
        {
            Assert.Equal("the new key reached everyone", (await RoomHarness.TextAsync(member, "the new key reached everyone")).Text);
        }
    }
}
