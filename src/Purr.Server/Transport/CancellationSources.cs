namespace Purr.Server.Transport;

internal static class CancellationSources
{
    /// <summary>
    /// Cancels a channel's "aborted" source from a transport callback that may run after the session ended and
    /// disposed its channel (a late write failure, a timer): then there is nothing left to tell.
    /// </summary>
    public static void CancelUnlessDisposed(this CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session is over and disposed its channel.
        }
    }
}
