using Purr.Server.Modules;

namespace Purr.Server.Federation;

/// <summary>Counts of federation traffic since start, for purrctl status and /metrics; never a peer's address or key.</summary>
internal sealed class FederationCounters
{
    private long linksAccepted;
    private long forwarded;
    private long forwardsFailed;
    private long packetsAnswered;
    private long packetsRefused;
    private long onionForwarded;
    private long onionExited;
    private long onionRefused;

    public long LinksAccepted => Interlocked.Read(ref linksAccepted);

    public long Forwarded => Interlocked.Read(ref forwarded);

    public long ForwardsFailed => Interlocked.Read(ref forwardsFailed);

    public long PacketsAnswered => Interlocked.Read(ref packetsAnswered);

    public long PacketsRefused => Interlocked.Read(ref packetsRefused);

    public long OnionForwarded => Interlocked.Read(ref onionForwarded);

    public long OnionExited => Interlocked.Read(ref onionExited);

    public long OnionRefused => Interlocked.Read(ref onionRefused);

    /// <summary>An onion layer this server removed: sent on, acted on as the last hop, or refused (this hop's or the next one's refusal).</summary>
    public void Onion(OnionOutcome outcome)
    {
        switch (outcome)
        {
            case OnionOutcome.Forwarded:
                Interlocked.Increment(ref onionForwarded);
                break;
            case OnionOutcome.Exited:
                Interlocked.Increment(ref onionExited);
                break;
            default:
                Interlocked.Increment(ref onionRefused);
                break;
        }
    }

    public void LinkAccepted() => Interlocked.Increment(ref linksAccepted);

    /// <summary>A client's forward this server carried: answered by the destination (even with an error inside), or not.</summary>
    public void Forward(bool answered) => Interlocked.Increment(ref answered ? ref forwarded : ref forwardsFailed);

    /// <summary>A packet for this server: opened and answered, or refused (tampered, stale, replayed, over a limit).</summary>
    public void Packet(bool answered) => Interlocked.Increment(ref answered ? ref packetsAnswered : ref packetsRefused);
}

internal enum OnionOutcome
{
    Forwarded,
    Exited,
    Refused,
}

/// <summary>The federation module's part of purrctl status and limits (and the purr_federation_* gauges).</summary>
internal sealed class FederationReport(
    FederationPolicy policy, FederationLinks links, FederationCounters counters, OnionCapture capture, TunnelProxy tunnelProxy, TunnelEndpoint tunnelEndpoint)
    : IOperatorReport
{
    public string Section => "federation";

    public ValueTask<IReadOnlyDictionary<string, object>> StatusAsync(CancellationToken cancellationToken)
    {
        var status = new Dictionary<string, object>
        {
            ["mode"] = CatalogEndpoint.Name(policy.Mode),
            ["linksUp"] = links.Up,
            ["linksAccepted"] = counters.LinksAccepted,
            ["forwarded"] = counters.Forwarded,
            ["forwardsFailed"] = counters.ForwardsFailed,
            ["packetsAnswered"] = counters.PacketsAnswered,
            ["packetsRefused"] = counters.PacketsRefused,
            ["onionForwarded"] = counters.OnionForwarded,
            ["onionExited"] = counters.OnionExited,
            ["onionRefused"] = counters.OnionRefused,
            ["tunnelsCarried"] = tunnelProxy.Carrying,
            ["tunnelsServed"] = tunnelEndpoint.Serving,
            ["linkedTo"] = links.UpFingerprints(),
        };
        if (capture.Enabled)
        {
            status["onionCapture"] = capture.Entries();
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, object>>(status);
    }

    public IReadOnlyDictionary<string, object> Settings()
    {
        var options = policy.Options;
        return new Dictionary<string, object>
        {
            ["Mode"] = CatalogEndpoint.Name(options.Mode),
            ["Peers"] = options.Peers.Count,
            ["MaxLinks"] = options.MaxLinks,
            ["MaxInFlightPerPeer"] = options.MaxInFlightPerPeer,
            ["BytesPerMinutePerPeer"] = options.BytesPerMinutePerPeer,
            ["LinkRequestsPerSecond"] = options.LinkRequestsPerSecond,
            ["MaxTunnelsPerConnection"] = options.MaxTunnelsPerConnection,
            ["TunnelsPerMinutePerIp"] = options.TunnelsPerMinutePerIp,
            ["OnionPacketsPerMinutePerIp"] = options.OnionPacketsPerMinutePerIp,
            ["MaxTunnelsPerPeer"] = options.MaxTunnelsPerPeer,
            ["ConnectTimeout"] = options.ConnectTimeout,
            ["ForwardTimeout"] = options.ForwardTimeout,
            ["ReconnectDelay"] = options.ReconnectDelay,
            ["ReplayCacheEntries"] = options.ReplayCacheEntries,
            ["AllowPrivateAddresses"] = options.AllowPrivateAddresses,
            ["DebugCaptureOnionHops"] = options.DebugCaptureOnionHops,
        };
    }
}
