using Microsoft.Extensions.Hosting;
using Purr.Server.Admin;
using StackExchange.Redis;

namespace Purr.Backplane.Redis;

/// <summary>Operator broadcasts between processes: `purrctl broadcast` on any node reaches every node's clients.</summary>
internal sealed class RedisBroadcastRelay(RedisConnection redis) : IBroadcastRelay, IHostedService
{
    private readonly RedisChannel channel = RedisChannel.Literal(redis.Channel + ":broadcasts");
    private Action<byte[]>? received;

    public async ValueTask PublishAsync(byte[] broadcast)
    {
        try
        {
            await redis.Multiplexer.GetSubscriber().PublishAsync(channel, broadcast);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Redis is away: the broadcast reaches this node's clients only; the operator can send it again.
        }
    }

    /// <summary>Only keeps the callback; the subscription is made at start, asynchronously (never inside a request).</summary>
    public void OnReceived(Action<byte[]> received) => this.received = received;

    public Task StartAsync(CancellationToken cancellationToken) =>
        redis.Multiplexer.GetSubscriber().SubscribeAsync(channel, (_, message) => received?.Invoke((byte[])message!));

    public Task StopAsync(CancellationToken cancellationToken) => redis.Multiplexer.GetSubscriber().UnsubscribeAsync(channel);
}
