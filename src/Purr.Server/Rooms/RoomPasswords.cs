using System.Net;
using Microsoft.Extensions.Options;
using Purr.Crypto;
using Purr.Server.Transport;

namespace Purr.Server.Rooms;

/// <summary>Room passwords: Argon2id hashes (19 MiB, 2 passes) on the rooms' own bounded pool (<see cref="PasswordHashPool"/>).</summary>
internal sealed class RoomPasswords(IOptions<RoomOptions> options, TimeProvider time) : IDisposable
{
    internal static readonly Argon2Cost Cost = new(2, 19UL * 1024 * 1024);

    private readonly PasswordHashPool pool = new(
        options.Value.PasswordHashConcurrency, options.Value.PasswordHashQueue, options.Value.PasswordHashesPerMinutePerIp, time);

    /// <summary>The hash string for a new room's password, or null when the address's budget or the line is full.</summary>
    public Task<string?> HashAsync(IPAddress address, string password, CancellationToken cancellationToken) =>
        pool.HashAsync(address, password, Cost, cancellationToken);

    /// <summary>Whether the password matches, or null when the address's budget or the line is full.</summary>
    public Task<bool?> VerifyAsync(IPAddress address, string hash, string password, CancellationToken cancellationToken) =>
        pool.VerifyAsync(address, hash, password, cancellationToken);

    public void Dispose() => pool.Dispose();
}
