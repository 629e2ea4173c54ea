namespace Purr.Server.Modules;

/// <summary>
/// A module's part of what the operator sees through the admin socket (purrctl status, purrctl limits).
/// Aggregates and settings only: never an id, a key, a room, an address or a handle.
/// </summary>
public interface IOperatorReport
{
    /// <summary>The section it fills: "connections", "mailboxes", "rooms", "store".</summary>
    string Section { get; }

    /// <summary>Counts as they are now.</summary>
    ValueTask<IReadOnlyDictionary<string, object>> StatusAsync(CancellationToken cancellationToken);

    /// <summary>The effective settings behind this section (after configuration), by name.</summary>
    IReadOnlyDictionary<string, object> Settings();
}
