using Purr.Core.Rooms;

namespace Purr.Server.Rooms;

/// <summary>What a member may do in a room.</summary>
public enum RoomAction
{
    Speak,
    Kick,
    Stop,
    Configure,
    SwitchFlat,
    SetRole,
    SetVoice,
}

/// <summary>
/// Who may do what in a room: every rule in one place, checked by the handlers and by a table-driven test.
/// Owner above moderator above member; a flat room lets anyone kick, stop and configure (only the owner
/// switches flat mode); a moderated room lets members without voice listen only.
/// </summary>
internal static class RoomRules
{
    /// <param name="target">The member acted on (kick, role, voice), or null for actions on the room.</param>
    public static bool May(RoomState room, RoomMemberData actor, RoomAction action, RoomMemberData? target = null) => action switch
    {
        RoomAction.Speak => !room.Settings.Moderated || actor.Role >= RoomMemberRole.Moderator || actor.Voice,
        RoomAction.Kick => target is not null && target != actor
            && (room.Settings.Flat || (actor.Role >= RoomMemberRole.Moderator && actor.Role > target.Role)),
        RoomAction.Stop or RoomAction.Configure => room.Settings.Flat || actor.Role >= RoomMemberRole.Moderator,
        RoomAction.SwitchFlat => actor.Role == RoomMemberRole.Owner,
        RoomAction.SetRole => target is not null && target.Role != RoomMemberRole.Owner && actor.Role == RoomMemberRole.Owner,
        RoomAction.SetVoice => target is not null && target.Role != RoomMemberRole.Owner
            && (actor.Role == RoomMemberRole.Owner || (actor.Role == RoomMemberRole.Moderator && target.Role == RoomMemberRole.Member)),
        _ => false,
    };
}
