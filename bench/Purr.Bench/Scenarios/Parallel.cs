namespace Purr.Bench.Scenarios;

internal static class Connecting
{
    /// <summary>Connects <paramref name="count"/> clients, <paramref name="concurrency"/> at a time.</summary>
    public static async Task<List<T>> ManyAsync<T>(int count, int concurrency, Func<int, Task<T>> connect)
    {
        var results = new T[count];
        using var gate = new SemaphoreSlim(concurrency);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                results[i] = await connect(i);
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. results];
    }
}
