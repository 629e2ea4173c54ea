namespace Purr.Bench.Clients;

/// <summary>
/// One connected user of a system under test. Messages carry their scheduled send time in their
/// first 8 bytes, so the receiver measures latency including any queueing on the way.
/// </summary>
internal interface IChatClient : IAsyncDisposable
{
    /// <summary>Called for every message this client receives.</summary>
    Action<ReadOnlyMemory<byte>>? OnMessage { get; set; }

    /// <summary>Sends to <paramref name="peer"/> without waiting for the system's answer.</summary>
    Task SendAsync(IChatClient peer, byte[] payload);
}

/// <summary>Makes connected clients of one system.</summary>
internal interface IChatSystem
{
    string Name { get; }

    Task<IChatClient> ConnectAsync(int index);
}
