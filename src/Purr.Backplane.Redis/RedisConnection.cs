using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Purr.Backplane.Redis;

/// <summary>
/// The process's one connection to Redis, shared by the mailbox signal and the broadcast relay. It is made even
/// when Redis is down and keeps reconnecting: a process without the backplane still serves its own clients.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    public RedisConnection(IOptions<RedisBackplaneOptions> options)
    {
        var configuration = ConfigurationOptions.Parse(options.Value.Configuration!);
        configuration.AbortOnConnectFail = false;
        // Back within about a second of Redis returning, never hammering it (at most every 5 s while it stays away).
        configuration.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        configuration.ClientName = "purrd";
        Multiplexer = ConnectionMultiplexer.Connect(configuration);
        Channel = options.Value.Channel;
    }

    public ConnectionMultiplexer Multiplexer { get; }

    /// <summary>The deployment's channel name; the broadcast relay uses it with ":broadcasts" appended.</summary>
    public string Channel { get; }

    public void Dispose() => Multiplexer.Dispose();
}
