using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;
using Purr.Server.Mailboxes;
using StackExchange.Redis;

namespace Purr.Backplane.Redis;

/// <summary>
/// Mailbox signals between purrd processes over one Redis pub/sub channel, as ASP.NET Core SignalR's Redis
/// backplane does. Every process hears every signal and acts on those for mailboxes subscribed here; the
/// store (PostgreSQL) stays the source of truth. While Redis is unreachable, signals are lost but nothing
/// else is: messages are stored, delivery within a process goes on, and when Redis is back each process
/// pushes every idle subscriber its mailbox's head, so what was stored meanwhile goes out.
/// </summary>
internal sealed partial class RedisMailboxSignal(
    RedisConnection connection, LiveDelivery live, ILogger<RedisMailboxSignal> logger) : IMailboxSignal, IHostedService
{
    private readonly Guid process = Guid.NewGuid();
    private readonly RedisChannel channel = RedisChannel.Literal(connection.Channel);
    private readonly ConnectionMultiplexer redis = connection.Multiplexer;
    private ChannelMessageQueue? queue;

    public DeliveryTicket Before(OpaqueId receiveId) => live.Ticket(receiveId);

    public async ValueTask MessageStoredAsync(OpaqueId receiveId, StoredMessage? newHead, DeliveryTicket before, CancellationToken cancellationToken = default)
    {
        await live.MessageStoredAsync(receiveId, newHead, before, cancellationToken);
        if (live.SubscriberOf(receiveId) is null)
        {
            await PublishAsync(new MailboxSignalMessage(SignalKind.Stored, process, receiveId, null));
        }
    }

    public ValueTask SubscribedAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        PublishAsync(new MailboxSignalMessage(SignalKind.Subscribed, process, receiveId, null));

    public ValueTask LiveMessageAsync(OpaqueId receiveId, StoredMessage message, CancellationToken cancellationToken = default) =>
        PublishAsync(new MailboxSignalMessage(SignalKind.Live, process, receiveId, message));

    public ValueTask DeletedAsync(OpaqueId receiveId, CancellationToken cancellationToken = default) =>
        PublishAsync(new MailboxSignalMessage(SignalKind.Deleted, process, receiveId, null));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += (_, _) => _ = Task.Run(RefreshAfterOutageAsync, CancellationToken.None);
        queue = await redis.GetSubscriber().SubscribeAsync(channel);
        // One at a time, in the order Redis delivered them.
        queue.OnMessage(HandleAsync);
        Log.Started(logger, redis.IsConnected);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (queue is not null)
        {
            await queue.UnsubscribeAsync();
        }
    }

    private async Task HandleAsync(ChannelMessage received)
    {
        if (MailboxSignalMessage.TryParse((byte[])received.Message!) is not { } signal || signal.Process == process)
        {
            return;
        }

        try
        {
            switch (signal.Kind)
            {
                case SignalKind.Stored:
                    await live.MessageStoredAsync(signal.ReceiveId, null, default);
                    break;
                case SignalKind.Subscribed:
                    live.SubscriptionMovedAway(signal.ReceiveId);
                    break;
                case SignalKind.Live when live.SubscriberOf(signal.ReceiveId) is { } subscriber:
                    live.DeliverLive(signal.ReceiveId, subscriber, signal.Live!);
                    break;
                case SignalKind.Deleted:
                    live.MailboxDeleted(signal.ReceiveId);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store failed answering a peek: the message stays stored for the next subscribe or refresh.
            Log.SignalFailed(logger, e.GetType().Name);
        }
    }

    private async ValueTask PublishAsync(MailboxSignalMessage signal)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(channel, signal.ToBytes());
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Stored is stored: the refresh when Redis returns (or the client's next subscribe) delivers it.
            Log.PublishFailed(logger, e.GetType().Name);
        }
    }

    private async Task RefreshAfterOutageAsync()
    {
        Log.Restored(logger);
        try
        {
            await live.RefreshIdleAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.SignalFailed(logger, e.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Redis backplane started (connected: {Connected})")]
        public static partial void Started(ILogger logger, bool connected);

        [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Redis backplane: a signal could not be published ({ExceptionType}); delivery catches up when Redis is back")]
        public static partial void PublishFailed(ILogger logger, string exceptionType);

        [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Redis backplane reconnected; pushing what was stored meanwhile")]
        public static partial void Restored(ILogger logger);

        [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Redis backplane: a signal could not be handled ({ExceptionType})")]
        public static partial void SignalFailed(ILogger logger, string exceptionType);
    }
}
