using System.Text;
using Prometheus;
using Purr.Server.Modules;

namespace Purr.Server.Metrics;

/// <summary>
/// Every number a module reports to the operator (IOperatorReport) is also a gauge, read at scrape time:
/// purr_connections_open, purr_mailboxes_messages_waiting, purr_rooms_live, purr_store_bytes.
/// </summary>
internal static class OperatorGauges
{
    public static void Attach(ServerMetrics metrics, IEnumerable<IOperatorReport> reports)
    {
        var gauges = new Dictionary<string, Gauge>(StringComparer.Ordinal);
        metrics.OnScrape(async cancellationToken =>
        {
            foreach (var report in reports)
            {
                foreach (var (key, value) in await report.StatusAsync(cancellationToken))
                {
                    if (value is int or long or double)
                    {
                        var name = $"purr_{Snake(report.Section)}_{Snake(key)}";
                        if (!gauges.TryGetValue(name, out var gauge))
                        {
                            gauge = gauges[name] = metrics.Gauges.CreateGauge(name, $"{report.Section}: {key} (as purrctl status shows it).");
                        }

                        gauge.Set(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }
        });
    }

    private static string Snake(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
