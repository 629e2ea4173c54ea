namespace Purr.Server.Admin;

/// <summary>
/// Carries an operator's signed broadcast to the other purrd processes of one deployment (the Redis backplane
/// implements it), so `purrctl broadcast` on any node reaches everyone. Absent in a single process.
/// </summary>
public interface IBroadcastRelay
{
    /// <summary>Hands a serialized ServerBroadcast to the other processes.</summary>
    ValueTask PublishAsync(byte[] broadcast);

    /// <summary>Called with each serialized ServerBroadcast another process published.</summary>
    void OnReceived(Action<byte[]> received);
}
