using System.Threading.Channels;

namespace Purr.Client;

/// <summary>
/// Many consumers on one connection: each room session (and anything else that owns some subscriptions) takes
/// the pushed events it accepts on a reader of its own, so any number of mailboxes and rooms share one
/// connection per server without taking each other's events. Events no listener accepts go to
/// <see cref="PurrConnection.Events"/>.
/// </summary>
public sealed partial class PurrConnection
{
    /// <summary>How many disposed listeners are remembered, so that late events meant for them are dropped.</summary>
    private const int RetiredListenersKept = 64;

    private readonly Lock listenersGate = new();
    private ImmutableListeners listeners = new([]);
    private ImmutableListeners retired = new([]);

    /// <summary>Routes the pushed events <paramref name="accepts"/> takes to the returned listener, until it is disposed.</summary>
    public EventListener Listen(Func<PurrEvent, bool> accepts)
    {
        var listener = new EventListener(this, accepts, options.EventQueueCapacity);
        lock (listenersGate)
        {
            listeners = new ImmutableListeners([.. listeners.All, listener]);
        }

        if (closing.IsCancellationRequested)
        {
            listener.Complete();
        }

        return listener;
    }

    internal void Remove(EventListener listener)
    {
        lock (listenersGate)
        {
            if (listeners.All.Contains(listener))
            {
                listeners = new ImmutableListeners([.. listeners.All.Where(l => l != listener)]);
                retired = new ImmutableListeners([.. retired.All.TakeLast(RetiredListenersKept - 1), listener]);
            }
        }

        listener.Complete();
    }

    /// <summary>
    /// The first listener that accepts the event gets it; otherwise the connection's own queue does. An error
    /// about the whole connection (request id 0: shutting down, handshake timeout) goes to everyone.
    /// </summary>
    private async ValueTask RouteAsync(PurrEvent pushed, CancellationToken cancellationToken)
    {
        if (pushed is ServerError)
        {
            foreach (var listener in listeners.All)
            {
                await listener.WriteAsync(pushed, cancellationToken);
            }

            await events.Writer.WriteAsync(pushed, cancellationToken);
            return;
        }

        foreach (var listener in listeners.All)
        {
            if (listener.Accepts(pushed))
            {
                await listener.WriteAsync(pushed, cancellationToken);
                return;
            }
        }

        // A late event for a consumer that has finished (a room session closed just as a member spoke): nobody
        // will read it, and left in the shared queue it would pile up until the connection stalled.
        if (retired.All.Any(listener => listener.Accepts(pushed)))
        {
            return;
        }

        await events.Writer.WriteAsync(pushed, cancellationToken);
    }

    private void CompleteListeners()
    {
        foreach (var listener in listeners.All)
        {
            listener.Complete();
        }
    }

    private sealed record ImmutableListeners(EventListener[] All);
}

/// <summary>One consumer's share of a connection's pushed events (see <see cref="PurrConnection.Listen"/>).</summary>
public sealed class EventListener : IDisposable
{
    private readonly PurrConnection connection;
    private readonly Func<PurrEvent, bool> accepts;
    private readonly Channel<PurrEvent> events;

    internal EventListener(PurrConnection connection, Func<PurrEvent, bool> accepts, int capacity)
    {
        this.connection = connection;
        this.accepts = accepts;
        events = Channel.CreateBounded<PurrEvent>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Completes when the listener is disposed or the connection closes.</summary>
    public ChannelReader<PurrEvent> Events => events.Reader;

    public void Dispose() => connection.Remove(this);

    internal bool Accepts(PurrEvent pushed) => accepts(pushed);

    internal async ValueTask WriteAsync(PurrEvent pushed, CancellationToken cancellationToken)
    {
        try
        {
            await events.Writer.WriteAsync(pushed, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // Disposed meanwhile: nobody wants this event any more.
        }
    }

    internal void Complete() => events.Writer.TryComplete();
}
