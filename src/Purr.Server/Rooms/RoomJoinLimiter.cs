using Microsoft.Extensions.Options;
using Purr.Server.Sessions;
using Purr.Server.Transport;

namespace Purr.Server.Rooms;

/// <summary>Room joins per connection per minute (Rooms:JoinsPerMinutePerConnection): one connection cannot walk through rooms at speed.</summary>
internal sealed class RoomJoinLimiter(IOptions<RoomOptions> options, TimeProvider time)
{
    private readonly KeyedRateLimiter<IClientSession> limiter = new(options.Value.JoinsPerMinutePerConnection, time);

    public bool TryTake(IClientSession session, out TimeSpan retryAfter) => limiter.TryTake(session, out retryAfter);
}
