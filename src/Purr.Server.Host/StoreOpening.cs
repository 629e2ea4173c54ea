using Purr.Core.Handles;
using Purr.Core.Mailboxes;
using Purr.Core.Registration;
using Purr.Core.Rooms;
using Purr.Server.Identity;

namespace Purr.Server.Host;

/// <summary>
/// The store and the server key, opened on a pool thread while the host is assembled (the container, Kestrel, the
/// endpoints). A first start creates the database and the key and waits for their fsyncs; every start opens the store.
/// Done one after the other, that was about a sixth of the time to the first connection on a native AOT purrd.
/// Failures are those of a start that opened the store first: the store's, then the key's, then the host's.
/// </summary>
internal sealed class StoreOpening
{
    private readonly Task<OpenedStore> opening;

    private StoreOpening(Task<OpenedStore> opening) => this.opening = opening;

    public static StoreOpening Start(IConfiguration configuration, string dataDirectory, TimeProvider time) =>
        new(Task.Run(() => OpenAsync(configuration, dataDirectory, time)));

    /// <summary>What was opened, waiting for it if need be (a service resolved before the host awaited it).</summary>
    public OpenedStore Result => opening.GetAwaiter().GetResult();

    public Task<OpenedStore> OpenedAsync() => opening;

    /// <summary>
    /// The host could not be assembled: the store is closed again, and if opening it failed too, that failure is the
    /// one reported (a start that opened the store first would have stopped there).
    /// </summary>
    public async Task AbandonAsync()
    {
        OpenedStore opened;
        try
        {
            opened = await opening;
        }
        catch (Exception e) when (StartFailure.Explain(e) is not null)
        {
            throw;
        }
        catch (Exception)
        {
            // A bug in opening, not the operator's to fix: the host's own failure is the more useful report.
            return;
        }

        await opened.DisposeAsync();
    }

    private static async Task<OpenedStore> OpenAsync(IConfiguration configuration, string dataDirectory, TimeProvider time)
    {
        var (mailboxes, rooms, registration, handles) = await StorageSelection.OpenAsync(configuration, dataDirectory, time);
        var opened = new OpenedStore(mailboxes, rooms, registration, handles, null);
        try
        {
            return opened with { Identity = ServerIdentityFile.LoadOrCreate(dataDirectory) };
        }
        catch
        {
            await opened.DisposeAsync();
            throw;
        }
    }
}

/// <summary>The stores of the backend in use (one object for SQLite and PostgreSQL) and the server's identity.</summary>
internal sealed record OpenedStore(IMailboxStore Mailboxes, IRoomStore Rooms, IRegistrationStore Registration, IHandleStore Handles, ServerIdentity? Identity)
    : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        // The four are one object for SQLite and PostgreSQL; each is closed once.
        foreach (var part in new object?[] { Mailboxes, Rooms, Registration, Handles, Identity }.Distinct(ReferenceEqualityComparer.Instance))
        {
            switch (part)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
