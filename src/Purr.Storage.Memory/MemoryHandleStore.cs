using Purr.Core.Handles;

namespace Purr.Storage.Memory;

/// <summary>Handles in one process's memory (the memory backend): gone at exit, like everything else there.</summary>
public sealed class MemoryHandleStore : IHandleStore
{
    private readonly Lock gate = new();
    private readonly SortedDictionary<string, HandleRecord> byName = new(StringComparer.Ordinal);

    public ValueTask<HandleClaim> ClaimAsync(HandleRecord handle, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (byName.TryGetValue(handle.Name, out var held))
            {
                if (!held.AddressKey.AsSpan().SequenceEqual(handle.AddressKey))
                {
                    return ValueTask.FromResult(HandleClaim.Taken);
                }

                byName[handle.Name] = held with { AddressLink = handle.AddressLink };
                return ValueTask.FromResult(HandleClaim.Updated);
            }

            if (byName.Values.Any(h => h.AddressKey.AsSpan().SequenceEqual(handle.AddressKey)))
            {
                return ValueTask.FromResult(HandleClaim.KeyHoldsAnother);
            }

            byName[handle.Name] = handle with { Listed = false, Description = "", FreeUntil = 0 };
            return ValueTask.FromResult(HandleClaim.Claimed);
        }
    }

    public ValueTask<HandleRecord?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(byName.GetValueOrDefault(name));
        }
    }

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return ValueTask.FromResult(byName.Remove(name));
        }
    }

    public ValueTask<bool> SetListingAsync(string name, bool listed, string description, long freeUntil, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byName.TryGetValue(name, out var held))
            {
                return ValueTask.FromResult(false);
            }

            byName[name] = held with { Listed = listed, Description = listed ? description : "", FreeUntil = listed ? freeUntil : 0 };
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<IReadOnlyList<HandleRecord>> SearchAsync(string query, bool freeOnly, long now, int limit, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            IReadOnlyList<HandleRecord> found = [.. byName.Values
                .Where(h => h.Listed && (!freeOnly || h.FreeUntil > now) && Matches(h, query))
                .Take(limit)];
            return ValueTask.FromResult(found);
        }
    }

    private static bool Matches(HandleRecord handle, string query) =>
        handle.Name.StartsWith(query, StringComparison.Ordinal)
        || handle.Description.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(w => w.StartsWith(query, StringComparison.OrdinalIgnoreCase));
}
