using Purr.Client;
using Purr.Client.Rooms;
using Purr.Protocol.V1;
using Purr.Server.Tests.Rooms;

namespace Purr.Server.Tests.ScaleOut;

/// <summary>
/// Rooms whose members sit on different purrd processes of one deployment: messages, whispers, kicks and stops
/// reach every node's connections, joins racing on two nodes all land (compare-and-set on the room's version), a
/// transient room outlives the node it was made on and ends only when no node has a member connected.
/// </summary>
public sealed class ClusterRoomTests
{
    [Fact]
    public async Task A_transient_room_spread_over_three_nodes_carries_messages_kicks_and_its_end_everywhere()
    {
        await using var cluster = await Cluster.StartAsync(3);
        await using var harness = new RoomHarness(node => PurrConnection.ConnectAsync(cluster[node]));
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice", node: 0);
        var (bob, _) = await harness.JoinAsync(alice, "Bob", node: 1);
        var (carol, _) = await harness.JoinAsync(alice, "Carol", node: 2);

        await alice.SendTextAsync("from node 0");
        await RoomHarness.TextAsync(bob, "from node 0");
        await RoomHarness.TextAsync(carol, "from node 0");
        await carol.SendTextAsync("from node 2");
        await RoomHarness.TextAsync(alice, "from node 2");
        await RoomHarness.TextAsync(bob, "from node 2");
        await bob.WhisperAsync(alice.MemberKey, "just for you");
        Assert.True((await RoomHarness.TextAsync(alice, "just for you")).Whisper);
        Assert.Equal(3, (await bob.MembersAsync()).Count);

        // Kicked on node 0, Carol's connection on node 2 hears it and nothing more; the new key reaches Bob on node 1.
        await alice.KickAsync(carol.MemberKey);
        await RoomHarness.NextAsync<RoomKicked>(carol);
        await RoomHarness.NextAsync<RoomMemberLeft>(bob, left => left.Kicked);
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => carol.SendTextAsync("still here?"));
        Assert.Equal(ErrorCode.Auth, refused.Code);
        await bob.SendTextAsync("after the kick");
        await RoomHarness.TextAsync(alice, "after the kick");

        await alice.StopAsync();
        await RoomHarness.NextAsync<RoomEnded>(bob);
        var late = await Assert.ThrowsAsync<PurrProtocolException>(() => harness.JoinAsync(alice, "Late", node: 2));
        Assert.Equal(ErrorCode.Auth, late.Code);
    }

    [Fact]
    public async Task Who_is_connected_is_known_across_nodes_and_a_member_leaving_one_node_is_told_on_the_other()
    {
        await using var cluster = await Cluster.StartAsync(2);
        await using var harness = new RoomHarness(node => PurrConnection.ConnectAsync(cluster[node]));
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice", node: 0);
        var (bob, bobConnection) = await harness.JoinAsync(alice, "Bob", node: 1);

        // Node 1 announces Bob; node 0 tells Alice, and answers her list with him connected.
        await RoomHarness.NextAsync<RoomMemberConnectionChanged>(alice, c => c.Connected && c.Member.AsSpan().SequenceEqual(bob.MemberKey));
        Assert.All(await alice.MembersAsync(), m => Assert.True(m.Connected));
        // Node 0 answered node 1's first announcement with its own: Bob's node learns Alice within moments.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!(await bob.MembersAsync()).Single(m => m.Name == "Alice").Connected)
        {
            Assert.True(DateTime.UtcNow < deadline, "Bob's node never learnt that Alice is connected");
            await Task.Delay(50);
        }

        await bob.DisposeAsync();
        await bobConnection.DisposeAsync();
        await RoomHarness.NextAsync<RoomMemberConnectionChanged>(alice, c => !c.Connected && c.Member.AsSpan().SequenceEqual(bob.MemberKey));
        Assert.False((await alice.MembersAsync()).Single(m => m.Name == "Bob").Connected);
    }

    [Theory]
    [InlineData(RoomKind.Transient)]
    [InlineData(RoomKind.Persistent)]
    public async Task Joins_racing_on_two_nodes_all_land(RoomKind kind)
    {
        await using var cluster = await Cluster.StartAsync(2);
        await using var harness = new RoomHarness(node => PurrConnection.ConnectAsync(cluster[node]));
        var (owner, _) = await harness.CreateAsync(kind, "Owner", node: 0);

        const int Joiners = 12;
        var joined = await Task.WhenAll(Enumerable.Range(0, Joiners).Select(i => harness.JoinAsync(owner, $"Member {i}", node: i % 2)));

        Assert.Equal(Joiners + 1, (await owner.MembersAsync()).Count);
        await owner.SendTextAsync("to all of you");
        await Task.WhenAll(joined.Select(j => RoomHarness.TextAsync(j.Session, "to all of you")));
    }

    [Fact]
    public async Task A_persistent_room_member_catches_up_through_another_node()
    {
        await using var cluster = await Cluster.StartAsync(2);
        await using var harness = new RoomHarness(node => PurrConnection.ConnectAsync(cluster[node]));
        var (alice, _) = await harness.CreateAsync(RoomKind.Persistent, "Alice", node: 0);
        var (bob, bobConnection) = await harness.JoinAsync(alice, "Bob", node: 1);
        await alice.SendTextAsync("while Bob is here");
        await RoomHarness.TextAsync(bob, "while Bob is here");
        var saved = bob.Export();
        await bob.DisposeAsync();
        await bobConnection.DisposeAsync();

        await alice.SendTextAsync("while Bob is away");
        var resumed = await harness.ResumeAsync(saved, node: 0);
        Assert.Equal("Alice", (await RoomHarness.TextAsync(resumed, "while Bob is away")).SenderName);
        await resumed.SendTextAsync("back, through node 0");
        await RoomHarness.TextAsync(alice, "back, through node 0");
    }

    [Fact]
    public async Task A_transient_room_outlives_the_node_it_was_made_on()
    {
        await using var cluster = await Cluster.StartAsync(3);
        await using var harness = new RoomHarness(node => PurrConnection.ConnectAsync(cluster[node]));
        var (alice, _) = await harness.CreateAsync(RoomKind.Transient, "Alice", node: 0);
        var (bob, _) = await harness.JoinAsync(alice, "Bob", node: 1);
        var (carol, _) = await harness.JoinAsync(alice, "Carol", node: 2);
        await alice.MembersAsync();
        var aliceSaved = alice.Export();

        await cluster.KillAsync(0);
        await bob.SendTextAsync("node 0 is gone");
        await RoomHarness.TextAsync(carol, "node 0 is gone");

        // Alice's client connects to another node and takes her membership up again there.
        var aliceAgain = await harness.ResumeAsync(aliceSaved, node: 2);
        await carol.SendTextAsync("welcome back");
        await RoomHarness.TextAsync(aliceAgain, "welcome back");
        var (dave, _) = await harness.JoinAsync(alice, "Dave", node: 1);
        await aliceAgain.SendTextAsync("hello Dave");
        await RoomHarness.TextAsync(dave, "hello Dave");
    }

    [Fact]
    public async Task A_transient_room_lives_while_any_node_has_a_member_connected_and_ends_when_none_has()
    {
        // Grace 1 s, rounds of 1 s: a room nobody keeps alive lapses after 4 s.
        await using var cluster = await Cluster.StartAsync(2, null, "--Rooms:TransientGrace=00:00:01");
        await using var harness = new RoomHarness(node => PurrConnection.ConnectAsync(cluster[node]));
        var (alice, aliceConnection) = await harness.CreateAsync(RoomKind.Transient, "Alice", node: 0);
        var (bob, bobConnection) = await harness.JoinAsync(alice, "Bob", node: 1);

        // The creator's node has nobody connected any more; Bob's node keeps the room alive.
        await aliceConnection.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(6));
        var (carol, _) = await harness.JoinAsync(alice, "Carol", node: 0);
        await bob.SendTextAsync("still here");
        await RoomHarness.TextAsync(carol, "still here");

        await bobConnection.DisposeAsync();
        await harness.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the transient room outlived its last connection by far more than its lifetime");

            // Each try hangs up at once, so the tries themselves never keep the room alive.
            await using var latecomer = new RoomHarness(node => PurrConnection.ConnectAsync(cluster[node]));
            try
            {
                await latecomer.JoinAsync(alice, "Late", node: 1);
            }
            catch (PurrProtocolException e) when (e.Code == ErrorCode.Auth)
            {
                break;
            }

            await latecomer.DisposeAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
