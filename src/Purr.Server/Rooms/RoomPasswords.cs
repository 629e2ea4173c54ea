using System.Net;
using Microsoft.Extensions.Options;
using Purr.Crypto;
using Purr.Server.Transport;

namespace Purr.Server.Rooms;

/// <summary>
/// Room passwords are Argon2id hashes, tens of milliseconds of CPU and 19 MiB each: the one expensive thing
/// any connection can ask for. So every hash runs on a bounded number of slots off the request path, with a
/// bounded line of waiters, and each IP address has a budget per minute. Without it 64 connections from one
/// address made a bystander's ping take seconds.
/// </summary>
internal sealed class RoomPasswords : IDisposable
{
    internal static readonly Argon2Cost Cost = new(2, 19UL * 1024 * 1024);

    private readonly SemaphoreSlim slots;
    private readonly AddressRateLimiter budget;
    private readonly int maxWaiting;
    private int waiting;

    public RoomPasswords(IOptions<RoomOptions> options, TimeProvider time)
    {
        slots = new SemaphoreSlim(options.Value.PasswordHashConcurrency, options.Value.PasswordHashConcurrency);
        budget = new AddressRateLimiter(options.Value.PasswordHashesPerMinutePerIp, time);
        maxWaiting = options.Value.PasswordHashQueue + options.Value.PasswordHashConcurrency;
    }

    /// <summary>The hash string for a new room's password, or null when the address's budget or the line is full.</summary>
    public async Task<string?> HashAsync(IPAddress address, string password, CancellationToken cancellationToken) =>
        await RunAsync(address, () => (string?)Argon2idPasswordHash.Hash(password, Cost), cancellationToken);

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
