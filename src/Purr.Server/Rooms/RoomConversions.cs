using Google.Protobuf;
using Purr.Core.Rooms;
using Purr.Protocol.V1;

namespace Purr.Server.Rooms;

internal static class RoomConversions
{
    public static RoomSettings ToWire(this RoomSettingsData settings) => new()
    {
        Flat = settings.Flat,
        Locked = settings.Locked,
        MemberLimit = (uint)settings.MemberLimit,
        Moderated = settings.Moderated,
        Listed = settings.Listed,
        ListingName = settings.ListingName,
        Topic = ByteString.CopyFrom(settings.Topic),
    };

    public static RoomSettingsData FromWire(this RoomSettings? settings) => settings is null ? new RoomSettingsData() : new()
    {
        Flat = settings.Flat,
        Locked = settings.Locked,
        MemberLimit = (int)Math.Min(settings.MemberLimit, int.MaxValue),
        Moderated = settings.Moderated,
        Listed = settings.Listed,
        ListingName = settings.ListingName,
        Topic = settings.Topic.ToByteArray(),
    };

    /// <param name="connected">Whether the member has a connection to the room now (member lists say; events do not).</param>
    public static RoomMember ToWire(this RoomMemberData member, bool connected = false) => new()
    {
        MemberKey = ByteString.CopyFrom(member.MemberKey),
        MemberDhKey = ByteString.CopyFrom(member.DhKey),
        MemberKemKey = ByteString.CopyFrom(member.KemKey),
        Role = (RoomRole)(int)member.Role,
        Voice = member.Voice,
        MemberProfile = ByteString.CopyFrom(member.Profile),
        Connected = connected,
    };

}
