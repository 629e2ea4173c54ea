using Google.Protobuf;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Rooms;

/// <summary>Members know each other by the names they joined with, from the join itself, before anyone speaks.</summary>
public sealed class RoomNameTests
{
    [Fact]
    public async Task A_join_carries_the_name_to_everyone_even_in_a_moderated_room_where_the_joiner_cannot_speak()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Persistent, "Alice", new RoomSettings { Moderated = true });
        var (bob, _) = await harness.JoinAsync(alice, "Bob");

        // Alice learns it with the join event; Bob, who has no voice and so sent no hello, is still named.
        Assert.Equal("Bob", (await RoomHarness.NextAsync<RoomMemberJoined>(alice)).Name);
        Assert.Contains(await alice.MembersAsync(), m => m.Name == "Bob" && !m.IsMe);
        // Bob knew Alice's name from the member list that came with his join.
        Assert.Equal("Alice", bob.NameOf(alice.MemberKey));

        // A later joiner learns both from the member list, with neither having said a word.
        var (carol, _) = await harness.JoinAsync(alice, "Carol");
        Assert.Equal("Alice", carol.NameOf(alice.MemberKey));
        Assert.Equal("Bob", carol.NameOf(bob.MemberKey));
    }

    [Fact]
    public async Task The_server_keeps_the_profile_opaque_and_bounded()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Rooms:MaxMemberProfileBytes"] = "400" });
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        await using var connection = await server.ConnectAsync();
        using var member = Crypto.Ed25519KeyPair.Generate();
        var join = new JoinRoom
        {
            RoomId = alice.Link.Invite.RoomId,
            JoinSecret = alice.Link.Invite.JoinSecret,
            MemberKey = ByteString.CopyFrom(member.PublicKey),
            MemberDhKey = ByteString.CopyFrom(new byte[32].Select((_, i) => (byte)(i + 9)).ToArray()),
            MemberProfile = ByteString.CopyFrom(new byte[401]),
        };
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RequestAsync(
            new Request { JoinRoom = join }, bytes => member.Sign(Protocol.SignedBytes.MemberRequest(connection.SessionNonce.Span, bytes))));
        Assert.Equal(ErrorCode.InvalidArgument, refused.Code);
        Assert.Contains("member_profile is at most 400 bytes", refused.Detail, StringComparison.Ordinal);

        // A profile that does not open (garbage, or moved from another member) names no one.
        join.MemberProfile = ByteString.CopyFrom(new byte[100]);
        await connection.RequestAsync(new Request { JoinRoom = join }, bytes => member.Sign(Protocol.SignedBytes.MemberRequest(connection.SessionNonce.Span, bytes)));
        Assert.Null((await RoomHarness.NextAsync<RoomMemberJoined>(alice)).Name);
        Assert.StartsWith("member ", alice.NameOf(member.PublicKey), StringComparison.Ordinal);
    }
}
