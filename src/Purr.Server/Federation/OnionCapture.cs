namespace Purr.Server.Federation;

/// <summary>
/// Federation:DebugCaptureOnionHops: what this server learned from each of the last <see cref="Capacity"/> onion
/// layers it removed, as "from → what": the previous server's key (or "a client") and the next server's key. Off by
/// default; when off, nothing is kept.
/// </summary>
internal sealed class OnionCapture(FederationPolicy policy)
{
    public const int Capacity = 100;

    private readonly Lock gate = new();
    private readonly Queue<string> entries = new();

    public bool Enabled => policy.Options.DebugCaptureOnionHops;

    public void Add(string? fromPeer, string what)
    {
        if (!Enabled)
        {
            return;
        }

        lock (gate)
        {
            if (entries.Count == Capacity)
            {
                entries.Dequeue();
            }

            entries.Enqueue($"from {fromPeer ?? "a client"}: {what}");
        }
    }

    public IReadOnlyList<string> Entries()
    {
        lock (gate)
        {
            return [.. entries];
        }
    }
}
