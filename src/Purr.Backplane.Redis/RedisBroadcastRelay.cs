using Purr.Server.Admin;
using StackExchange.Redis;

namespace Purr.Backplane.Redis;

/// <summary>Operator broadcasts between processes: `purrctl broadcast` on any node reaches every node's clients.</summary>
internal sealed class RedisBroadcastRelay(RedisConnection redis) : IBroadcastRelay
{
    private readonly RedisChannel channel = RedisChannel.Literal(redis.Channel + ":broadcasts");

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

    public void OnReceived(Action<byte[]> received) =>
        redis.Multiplexer.GetSubscriber().Subscribe(channel, (_, message) => received((byte[])message!));
}
