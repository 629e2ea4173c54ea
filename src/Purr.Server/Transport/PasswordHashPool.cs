using System.Net;
using Purr.Crypto;

namespace Purr.Server.Transport;

/// <summary>
/// Argon2id is tens of milliseconds of CPU and megabytes of memory per hash: the one expensive thing any
/// connection can ask for. So every hash runs on a bounded number of slots off the request path, with a
/// bounded line of waiters, and each IP address has a budget per minute. Without it 64 connections from one
/// address made a bystander's ping take seconds. Room passwords and registration accounts each have one.
/// </summary>
public sealed class PasswordHashPool(int concurrency, int queue, int perMinutePerIp, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim slots = new(concurrency, concurrency);
    private readonly AddressRateLimiter budget = new(perMinutePerIp, time);
    private readonly int maxWaiting = queue + concurrency;
    private int waiting;

    /// <summary>The hash string for a new password, or null when the address's budget or the line is full.</summary>
    public async Task<string?> HashAsync(IPAddress address, string password, Argon2Cost cost, CancellationToken cancellationToken) =>
        await RunAsync(address, () => (string?)Argon2idPasswordHash.Hash(password, cost), cancellationToken);

    /// <summary>Whether the password matches, or null when the address's budget or the line is full.</summary>
    public async Task<bool?> VerifyAsync(IPAddress address, string hash, string password, CancellationToken cancellationToken) =>
        await RunAsync(address, () => (bool?)Argon2idPasswordHash.Verify(hash, password), cancellationToken);

    public void Dispose() => slots.Dispose();

    private async Task<T?> RunAsync<T>(IPAddress address, Func<T?> work, CancellationToken cancellationToken)
    {
        if (!budget.TryTake(address))
        {
            return default;
        }

        if (Interlocked.Increment(ref waiting) > maxWaiting)
        {
            Interlocked.Decrement(ref waiting);
            return default;
        }

        try
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                // Off the connection's read loop and off the thread that would otherwise serve others' frames.
                return await Task.Run(work, cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }
}
