using Microsoft.Extensions.Options;

namespace Purr.Server.Transport;

/// <summary>The core's per-address rate limits: new connections, and AUTH refusals (ConnectionLimitsOptions).</summary>
public sealed class AddressLimiters(IOptions<ConnectionLimitsOptions> options, TimeProvider time)
{
    public AddressRateLimiter Connections { get; } = new(options.Value.ConnectionsPerMinutePerIp, time);

    public AddressRateLimiter FailedAuths { get; } = new(options.Value.FailedAuthsPerMinutePerIp, time);
}
