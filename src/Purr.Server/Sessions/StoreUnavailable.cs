using System.Data.Common;
using System.Net.Sockets;
using Purr.Core;

namespace Purr.Server.Sessions;

/// <summary>
/// Which failures mean "the store cannot be reached now" rather than a bug: database errors (ADO.NET's
/// DbException: PostgreSQL down, a connection pool exhausted, SQLite's disk full) and the socket and timeout
/// errors beneath them, and a backplane's <see cref="StoreUnavailableException"/>. Those are answered UNAVAILABLE and the connection stays; anything else is INTERNAL.
/// </summary>
internal static class StoreUnavailable
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public static bool Is(Exception exception) => exception switch
    {
        DbException or SocketException or TimeoutException or StoreUnavailableException => true,
        _ when exception.InnerException is { } inner => Is(inner),
        _ => false,
    };
}
