using Purr.Core.Rooms;
using Purr.Server.Rooms;
using static Purr.Core.Rooms.RoomMemberRole;
using static Purr.Server.Rooms.RoomAction;

namespace Purr.Server.Tests.Rooms;

/// <summary>Every room rule as a table: room mode, actor, target, action, verdict. The handlers ask the same function.</summary>
public sealed class RoomRulesTests
{
    public static TheoryData<string, RoomMemberRole, bool, RoomMemberRole?, RoomAction, bool> Table => new()
    {
        // room ("flat", "moderated", "plain"), actor role, actor voice, target role, action, allowed
        { "plain", Owner, true, Member, Kick, true },
        { "plain", Owner, true, Moderator, Kick, true },
        { "plain", Moderator, true, Member, Kick, true },
        { "plain", Moderator, true, Moderator, Kick, false },
        { "plain", Moderator, true, Owner, Kick, false },
        { "plain", Member, true, Member, Kick, false },
        { "plain", Member, true, Owner, Kick, false },
        { "flat", Member, true, Owner, Kick, true },
        { "flat", Member, true, Member, Kick, true },
        { "plain", Owner, true, null, Stop, true },
        { "plain", Moderator, true, null, Stop, true },
        { "plain", Member, true, null, Stop, false },
        { "flat", Member, true, null, Stop, true },
        { "plain", Moderator, true, null, Configure, true },
        { "plain", Member, true, null, Configure, false },
        { "flat", Member, true, null, Configure, true },
        { "plain", Owner, true, null, SwitchFlat, true },
        { "flat", Moderator, true, null, SwitchFlat, false },
        { "flat", Member, true, null, SwitchFlat, false },
        { "plain", Owner, true, Member, SetRole, true },
        { "plain", Owner, true, Moderator, SetRole, true },
        { "plain", Moderator, true, Member, SetRole, false },
        { "flat", Member, true, Member, SetRole, false },
        { "plain", Owner, true, Owner, SetRole, false },
        { "plain", Owner, true, Member, SetVoice, true },
        { "plain", Moderator, true, Member, SetVoice, true },
        { "plain", Moderator, true, Moderator, SetVoice, false },
        { "plain", Moderator, true, Owner, SetVoice, false },
        { "plain", Member, true, Member, SetVoice, false },
        { "plain", Member, false, null, Speak, true },
        { "moderated", Member, true, null, Speak, true },
        { "moderated", Member, false, null, Speak, false },
        { "moderated", Moderator, false, null, Speak, true },
        { "moderated", Owner, false, null, Speak, true },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Room_rules(string mode, RoomMemberRole actorRole, bool actorVoice, RoomMemberRole? targetRole, RoomAction action, bool allowed)
    {
        var actor = new RoomMemberData { MemberKey = [1], Role = actorRole, Voice = actorVoice };
        var target = targetRole is { } role ? new RoomMemberData { MemberKey = [2], Role = role } : null;
        var room = new RoomState
        {
            Settings = new RoomSettingsData { Flat = mode == "flat", Moderated = mode == "moderated" },
            Members = target is null ? [actor] : [actor, target],
        };
        Assert.Equal(allowed, RoomRules.May(room, actor, action, target));
    }

    [Fact]
    public void Nobody_kicks_themselves_even_in_a_flat_room()
    {
        var actor = new RoomMemberData { MemberKey = [1], Role = Owner };
        var room = new RoomState { Settings = new RoomSettingsData { Flat = true }, Members = [actor] };
        Assert.False(RoomRules.May(room, actor, Kick, actor));
    }
}
