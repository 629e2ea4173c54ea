namespace Purr.Server.Sessions;

/// <summary>Told when a connection ends, so modules can drop what they hold for it (subscriptions, room presence).</summary>
public interface ISessionObserver
{
    void SessionClosed(IClientSession session);

    /// <summary>The connection finished its hello: the client checked the server key and may be pushed to.</summary>
    void HelloCompleted(IClientSession session)
    {
    }
}
