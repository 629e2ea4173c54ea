using Purr.Client;

namespace Purr.Server.Tests;

internal static class EventAssertions
{
    public static async Task<T> NextAsync<T>(this PurrConnection connection, TimeSpan? timeout = null)
        where T : PurrEvent
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var next = await connection.Events.ReadAsync(cancel.Token);
            if (next is T wanted)
            {
                return wanted;
            }
        }
    }

    /// <summary>Nothing arrives within <paramref name="wait"/>: the absence a test can observe at the socket.</summary>
    public static async Task AssertQuietAsync(this PurrConnection connection, TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            var unexpected = await connection.Events.ReadAsync(cancel.Token);
            Assert.Fail($"expected no event, got {unexpected.GetType().Name}");
        }
        catch (OperationCanceledException)
        {
        }
    }
}
