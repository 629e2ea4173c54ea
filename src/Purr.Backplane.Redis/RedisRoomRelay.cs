using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Purr.Server.Rooms;
using StackExchange.Redis;

namespace Purr.Backplane.Redis;

/// <summary>
/// Room events between processes on "{channel}:rooms": every process hears every event and applies it to the
/// connections it holds; its own come back to it and are skipped. While Redis is away, events reach this
/// process's connections only (transient rooms, which live in Redis, are refused meanwhile anyway; persistent
/// rooms' messages travel through mailboxes, which the mailbox signal recovers).
/// </summary>
internal sealed partial class RedisRoomRelay(RedisConnection redis, ILogger<RedisRoomRelay> logger) : IRoomRelay, IHostedService
{
    private readonly Guid process = Guid.NewGuid();
    private readonly RedisChannel channel = RedisChannel.Literal(redis.Channel + ":rooms");
    private Func<RoomRelayMessage, Task>? received;
    private ChannelMessageQueue? queue;

    public async ValueTask PublishAsync(RoomRelayMessage message)
    {
        try
        {
            await redis.Multiplexer.GetSubscriber().PublishAsync(channel, RoomRelayFrame.Write(process, message));
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.Unpublished(logger, e.GetType().Name);
        }
    }

    /// <summary>Only keeps the callback: the subscription is made at start, asynchronously (a synchronous one inside a
    /// request's service resolution starved the thread pool under a burst of connections).</summary>
    public void OnReceived(Func<RoomRelayMessage, Task> received) => this.received = received;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        queue = await redis.Multiplexer.GetSubscriber().SubscribeAsync(channel);

        // One at a time, in the order Redis delivered them: a kick is applied before the events that follow it.
        queue.OnMessage(async message =>
        {
            try
            {
                if (received is { } handler && RoomRelayFrame.TryRead((byte[])message.Message!) is { } read && read.Process != process)
                {
                    await handler(read.Message);
                }
            }
            catch (Exception e)
            {
                Log.Unapplied(logger, e.GetType().Name);
            }
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (queue is not null)
        {
            await queue.UnsubscribeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "Redis backplane: a room event reached this process's connections only ({ExceptionType})")]
        internal static partial void Unpublished(ILogger logger, string exceptionType);

        [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "Redis backplane: a room event from another process could not be applied ({ExceptionType})")]
        internal static partial void Unapplied(ILogger logger, string exceptionType);
    }
}
