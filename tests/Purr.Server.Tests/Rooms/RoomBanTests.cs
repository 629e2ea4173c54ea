using System.Text;
using Google.Protobuf;
using Purr.Client;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests.Rooms;

/// <summary>
/// A kick changes the room's join secret (the kicked member's link stops working; the others learn the new link end
/// to end), and a ban keeps a profile out even with the new link, while the server keeps only keyed hashes of join tags.
/// </summary>
public sealed class RoomBanTests
{
    [Theory]
    [InlineData(RoomKind.Transient)]
    [InlineData(RoomKind.Persistent)]
    public async Task After_a_kick_the_old_link_is_refused_and_the_members_hold_the_new_one(RoomKind kind)
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(kind, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var (mallory, _) = await harness.JoinAsync(alice, "Mallory");
        var oldLink = alice.Link.ToString();

        await alice.KickAsync(mallory.MemberKey);
        await RoomHarness.NextAsync<RoomKicked>(mallory);
        var changed = await RoomHarness.NextAsync<RoomLinkChanged>(bob);

        // Every remaining member holds the same new link; the kicked one still holds the old link, which no longer opens the room.
        Assert.NotEqual(oldLink, alice.Link.ToString());
        Assert.Equal(alice.Link.ToString(), changed.Link);
        Assert.Equal(alice.Link.ToString(), bob.Link.ToString());
        Assert.Equal(oldLink, mallory.Link.ToString());
        Assert.Equal(RoomLink.Parse(oldLink).RoomKey, alice.Link.RoomKey);
        await using var again = await server.ConnectAsync();
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => RoomSession.JoinAsync(again, oldLink, "Mallory again"));
        Assert.Equal(ErrorCode.Auth, refused.Code);

        // A newcomer with the new link (shared by Bob) joins and reads what follows under the rotated key.
        var (carol, _) = await harness.JoinAsync(bob, "Carol");
        await alice.SendTextAsync("welcome, Carol");
        await RoomHarness.TextAsync(carol, "welcome, Carol");

        // The new link survives a restart of the member's client: it is part of what a membership saves.
        Assert.Equal(bob.Link.ToString(), RoomLink.Parse(bob.Export().Link).ToString());
    }

    [Fact]
    public async Task A_banned_profile_is_refused_with_the_new_link_and_the_store_never_holds_its_tag()
    {
        using var data = new TemporaryDirectory();
        await using var server = await RunningServer.StartAsync("sqlite", data.Path, settings: new Dictionary<string, string> { ["Sqlite:ErasureInterval"] = "00:00:00.200" });
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Persistent, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var malloryProfile = SecureRandom.Bytes(32);
        await using var malloryConnection = await server.ConnectAsync();
        await using var mallory = await RoomSession.JoinAsync(malloryConnection, alice.Link.ToString(), "Mallory", joinTagSecret: malloryProfile);
        var malloryTag = RoomCrypto.JoinTag(malloryProfile, alice.Link.RoomKey);
        var malloryKey = mallory.MemberKey;

        await alice.KickAsync(mallory.MemberKey, ban: true);
        await RoomHarness.NextAsync<RoomLinkChanged>(bob);
        Assert.Equal(1, await alice.BanCountAsync());

        // Someone hands Mallory the new link: her profile's tag is refused, whatever member key she makes.
        await using var back = await server.ConnectAsync();
        var banned = await Assert.ThrowsAsync<PurrProtocolException>(() => RoomSession.JoinAsync(back, bob.Link.ToString(), "Mallory", joinTagSecret: malloryProfile));
        Assert.Equal(ErrorCode.RoomBanned, banned.Code);

        // Another profile with the same link is welcome.
        await using var daveConnection = await server.ConnectAsync();
        await using var dave = await RoomSession.JoinAsync(daveConnection, bob.Link.ToString(), "Dave", joinTagSecret: SecureRandom.Bytes(32));

        // The server's files hold neither the tag Mallory sent nor (once erased) her member key, raw or as the JSON's base64.
        foreach (var secret in new[] { malloryTag, malloryKey })
        {
            await ErasureTests.WaitUntilGoneAsync(data.Path, secret);
            await ErasureTests.WaitUntilGoneAsync(data.Path, Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)));
        }

        // The owner may forgive: with the list empty, the same profile comes back (with the current link).
        await alice.ClearBansAsync();
        Assert.Equal(0, await alice.BanCountAsync());
        await using var forgiven = await server.ConnectAsync();
        await using var returned = await RoomSession.JoinAsync(forgiven, bob.Link.ToString(), "Mallory", joinTagSecret: malloryProfile);
    }

    [Fact]
    public async Task The_ban_list_keeps_the_newest_entries_up_to_its_limit_and_a_ban_is_the_owners_or_a_moderators()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Rooms:MaxBans"] = "1" });
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        var first = SecureRandom.Bytes(32);
        var second = SecureRandom.Bytes(32);
        var firstMember = await JoinWithProfileAsync(harness, alice, "First", first);
        var secondMember = await JoinWithProfileAsync(harness, alice, "Second", second);

        var forbidden = await Assert.ThrowsAsync<PurrProtocolException>(() => bob.KickAsync(firstMember.MemberKey, ban: true));
        Assert.Equal(ErrorCode.Forbidden, forbidden.Code);
        Assert.Equal(0, await alice.BanCountAsync());

        await alice.KickAsync(firstMember.MemberKey, ban: true);
        await alice.KickAsync(secondMember.MemberKey, ban: true);
        Assert.Equal(1, await alice.BanCountAsync());

        // The oldest entry made room for the newest.
        await using var c1 = await server.ConnectAsync();
        await using var firstBack = await RoomSession.JoinAsync(c1, alice.Link.ToString(), "First", joinTagSecret: first);
        await using var c2 = await server.ConnectAsync();
        Assert.Equal(ErrorCode.RoomBanned, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.JoinAsync(c2, alice.Link.ToString(), "Second", joinTagSecret: second))).Code);
    }

    [Fact]
    public async Task Bad_tags_and_secrets_are_refused_and_change_nothing()
    {
        await using var server = await RunningServer.StartAsync();
        await using var harness = new RoomHarness(server);
        var (alice, aliceConnection) = await harness.CreateAsync(RoomKind.Transient, "Alice");
        var mallory = await JoinWithProfileAsync(harness, alice, "Mallory", SecureRandom.Bytes(32));
        var link = alice.Link;

        // A kick whose new secret is too short: refused before anything changes; Mallory is still there, the link still works.
        var kick = new RoomKick { RoomId = link.Invite.RoomId, MemberKey = ByteString.CopyFrom(alice.MemberKey), Target = ByteString.CopyFrom(mallory.MemberKey), NewJoinSecret = ByteString.CopyFrom(new byte[8]), Ban = true };
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => aliceConnection.RequestAsync(new Request { RoomKick = kick }, SignerFor(aliceConnection, alice)))).Code);
        Assert.Equal(2, (await alice.MembersAsync()).Count);
        Assert.Equal(0, await alice.BanCountAsync());

        // A join tag of the wrong length.
        Assert.Equal(ErrorCode.InvalidArgument, (await RawJoinAsync(server, link, new byte[31])).Code);

        // Once the room keeps bans, a join must carry a tag: one without is refused with a clear reason.
        await alice.KickAsync(mallory.MemberKey, ban: true);
        var tagless = await RawJoinAsync(server, alice.Link, []);
        Assert.Equal(ErrorCode.InvalidArgument, tagless.Code);
        Assert.Contains("join_tag", tagless.Message, StringComparison.Ordinal);
        Assert.Single(await alice.MembersAsync());
    }

    private static async Task<RoomSession> JoinWithProfileAsync(RoomHarness harness, RoomSession room, string name, byte[] profile) =>
        await RoomSession.JoinAsync(await harness.Connect(), room.Link.ToString(), name, joinTagSecret: profile);

    private static Func<byte[], byte[]> SignerFor(PurrConnection connection, RoomSession member)
    {
        var seed = member.Export().MemberKeySeed;
        return bytes =>
        {
            using var key = Ed25519KeyPair.FromSeed(seed);
            return key.Sign(SignedBytes.MemberRequest(connection.SessionNonce.Span, bytes));
        };
    }

    /// <summary>A JoinRoom as a client might send it, with whatever tag: returns the refusal.</summary>
    private static async Task<PurrProtocolException> RawJoinAsync(RunningServer server, RoomLink link, byte[] tag)
    {
        await using var connection = await server.ConnectAsync();
        using var memberKey = Ed25519KeyPair.Generate();
        using var dh = X25519KeyPair.FromSecret(SecureRandom.Bytes(32));
        var join = new JoinRoom
        {
            RoomId = link.Invite.RoomId, JoinSecret = link.Invite.JoinSecret, MemberKey = ByteString.CopyFrom(memberKey.PublicKey),
            MemberDhKey = ByteString.CopyFrom(dh.PublicKey), JoinTag = ByteString.CopyFrom(tag),
        };
        return await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RequestAsync(
            new Request { JoinRoom = join }, bytes => memberKey.Sign(SignedBytes.MemberRequest(connection.SessionNonce.Span, bytes))));
    }
}
