namespace Purr.Core.Handles;

/// <summary>
/// A handle: a public name on this server for a contact address, held by whoever holds the address's key, and its
/// optional directory listing. No creation time and nothing about who registered it. PROTOCOL.md section 14.
/// </summary>
/// <param name="Name">Lower case, as validated by the directory module.</param>
/// <param name="AddressLink">The purr:address/ link the name resolves to.</param>
/// <param name="AddressKey">The address's Ed25519 key: it signs every change to the handle.</param>
/// <param name="FreeUntil">Unix seconds until which the owner is "free for chat"; 0 when not.</param>
public sealed record HandleRecord(string Name, string AddressLink, byte[] AddressKey, bool Listed = false, string Description = "", long FreeUntil = 0);

public enum HandleClaim
{
    /// <summary>The name was free and is now this address's.</summary>
    Claimed,

    /// <summary>The same address key held it: the link was replaced, the listing kept.</summary>
    Updated,

    /// <summary>Another address holds the name; nothing changed.</summary>
    Taken,

    /// <summary>This address key holds another name already (one handle per address); nothing changed.</summary>
    KeyHoldsAnother,
}

/// <summary>Where handles live. Every backend passes the same contract tests (tests/Purr.Storage.Tests).</summary>
public interface IHandleStore
{
    ValueTask<HandleClaim> ClaimAsync(HandleRecord handle, CancellationToken cancellationToken = default);

    ValueTask<HandleRecord?> FindAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes the handle and its listing. False when nobody held it.</summary>
    ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>False when nobody holds the name.</summary>
    ValueTask<bool> SetListingAsync(string name, bool listed, string description, long freeUntil, CancellationToken cancellationToken = default);

    /// <summary>
    /// Listed handles whose name starts with <paramref name="query"/> (lower case, no wildcards) or whose description has a
    /// word starting with it (ASCII case-insensitive), by name; with <paramref name="freeOnly"/> only those free for chat at
    /// <paramref name="now"/>. At most <paramref name="limit"/>.
    /// </summary>
    ValueTask<IReadOnlyList<HandleRecord>> SearchAsync(string query, bool freeOnly, long now, int limit, CancellationToken cancellationToken = default);
}
