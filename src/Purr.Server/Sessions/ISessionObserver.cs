namespace Purr.Server.Sessions;

/// <summary>Told when a connection ends, so modules can drop what they hold for it (subscriptions, room presence).</summary>
public interface ISessionObserver
{
    void SessionClosed(IClientSession session);
}
