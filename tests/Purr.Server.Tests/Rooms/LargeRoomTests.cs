using Purr.Client.Rooms;
using Purr.Protocol.V1;

namespace Purr.Server.Tests.Rooms;

public sealed class LargeRoomTests
{
    private const int Members = 500;

    [Fact]
    public async Task A_500_member_room_delivers_every_message_to_every_member()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxConnectionsPerIp"] = "1000",
            ["Limits:ConnectionsPerMinutePerIp"] = "1000",
            ["Limits:MaxSocketsPerIp"] = "1000",
            ["Limits:OutboundQueueFrames"] = "2048",
        });
        await using var harness = new RoomHarness(server);
        var (owner, _) = await harness.CreateAsync(RoomKind.Transient, "Owner");
        var members = new List<RoomSession> { owner };
        for (var i = 1; i < Members; i++)
        {
            members.Add((await harness.JoinAsync(owner, $"Member {i}")).Session);
        }

        Assert.Equal(Members, (await owner.MembersAsync()).Count);
        for (var round = 0; round < 3; round++)
        {
            await owner.SendTextAsync($"broadcast {round}");
        }

        await members[^1].SendTextAsync("from the last member");
        var deliveries = await Task.WhenAll(members.Skip(1).Select(async member =>
        {
            for (var round = 0; round < 3; round++)
            {
                await RoomHarness.TextAsync(member, $"broadcast {round}");
            }

            return 3;
        }));
        Assert.Equal((Members - 1) * 3, deliveries.Sum());
        await Task.WhenAll(members.Take(Members - 1).Select(m => RoomHarness.TextAsync(m, "from the last member")));
    }
}
