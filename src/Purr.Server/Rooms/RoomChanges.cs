using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms;

/// <summary>
/// Runs a room change again when another process changed the room first (the attempt answers null): each attempt
/// takes the room afresh, checks everything again against the new state, and commits by compare-and-set. Within one
/// process the room's gate already serialises requests, so only changes racing across processes ever repeat.
/// </summary>
internal static class RoomChanges
{
    /// <summary>Attempts before the client is told to retry later: only a room changed this often from elsewhere runs out.</summary>
    internal const int MaxAttempts = 8;

    public static async ValueTask<ServerFrame> RetryAsync(Func<ValueTask<ServerFrame?>> attempt)
    {
        for (var i = 0; i < MaxAttempts; i++)
        {
            if (await attempt() is { } answer)
            {
                return answer;
            }
        }

        return Responses.Unavailable("the room is being changed by many requests at once; try again", TimeSpan.FromSeconds(1));
    }
}
