using Purr.Client;
using Purr.Client.Messaging;
using Purr.Client.Profiles;
using Purr.Client.Rooms;
using Purr.Protocol.V1;

namespace Purr.Cli.Commands;

/// <summary>Picks up a saved room membership on the profile's connection to the room's server.</summary>
internal static class RoomResume
{
    public static async Task<PurrConnection> ConnectAsync(Messenger messenger, RoomRecord record)
    {
        using (new Spinner("connecting"))
        {
            // The profile's connection to that server for this room (shared with its contacts', or its own: 'purr isolation').
            return await messenger.RoomConnectionAsync(record);
        }
    }

    /// <summary>Resumes; a room that is gone (ended, or we were removed) is taken out of the profile and said so.</summary>
    public static async Task<RoomSession> ResumeAsync(Messenger messenger, RoomRecord record, PurrConnection connection)
    {
        try
        {
            return await RoomSession.ResumeAsync(connection, record.State);
        }
        catch (PurrProtocolException e) when (e.Code == ErrorCode.Auth)
        {
            messenger.ForgetRoom(record.Name);
            throw new MessengerException($"you are no longer in '{record.Name}': it ended, or you were removed; it was taken out of this profile");
        }
    }
}
