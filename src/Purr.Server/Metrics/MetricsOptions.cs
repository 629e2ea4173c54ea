namespace Purr.Server.Metrics;

/// <summary>Where /metrics is served (section "Metrics").</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve /metrics at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Answer /metrics to other machines too. Off: only connections from this machine that no proxy forwarded
    /// (a TLS proxy on the same host would otherwise publish it), so Prometheus scrapes over localhost or a tunnel.
    /// </summary>
    public bool AllowRemote { get; set; }
}
