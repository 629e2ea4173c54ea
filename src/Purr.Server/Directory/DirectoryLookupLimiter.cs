using Microsoft.Extensions.Options;
using Purr.Server.Sessions;
using Purr.Server.Transport;

namespace Purr.Server.Handles;

/// <summary>Resolves and searches per connection per minute (Directory:LookupsPerMinutePerConnection): nobody walks the directory at speed.</summary>
internal sealed class DirectoryLookupLimiter(IOptions<DirectoryOptions> options, TimeProvider time)
{
    private readonly KeyedRateLimiter<IClientSession> limiter = new(options.Value.LookupsPerMinutePerConnection, time);

    public bool TryTake(IClientSession session, out TimeSpan retryAfter) => limiter.TryTake(session, out retryAfter);
}
