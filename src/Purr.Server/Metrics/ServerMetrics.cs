using System.Collections.Concurrent;
using Prometheus;
using Purr.Protocol.V1;

namespace Purr.Server.Metrics;

/// <summary>
/// This server's metrics, in a registry of its own (several servers in one test process stay apart). Aggregates
/// only: the one label values are operation names and error codes from the protocol's own enums, never an id, a
/// key, a room, an address or a handle.
/// </summary>
public sealed class ServerMetrics
{
    // The labelled series of the per-message metrics, looked up once: WithLabels allocates its label array and
    // searches on every call, several times for every message.
    private readonly ConcurrentDictionary<Request.OpOneofCase, Histogram.Child> requestsByOperation = new();
    private readonly ConcurrentDictionary<string, Histogram.Child> storeCallsByOperation = new(StringComparer.Ordinal);
    private readonly Counter.Child deliveredLive;
    private readonly Counter.Child deliveredStored;

    public ServerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateHistogram("purr_request_duration_seconds", "Requests handled, by operation, and how long they took.",
            new HistogramConfiguration { LabelNames = ["operation"], Buckets = Histogram.ExponentialBuckets(0.0001, 4, 9) });
        Errors = factory.CreateCounter("purr_errors_total", "Error answers and closing errors, by protocol error code.", new CounterConfiguration { LabelNames = ["code"] });
        FramesIn = factory.CreateCounter("purr_frames_received_total", "Binary frames received from clients.");
        Deliveries = factory.CreateCounter("purr_deliveries_total", "Messages accepted into mailboxes, by how they reached the recipient (live push or stored).",
            new CounterConfiguration { LabelNames = ["path"] });
        StoreOperations = factory.CreateHistogram("purr_store_operation_duration_seconds", "Mailbox store calls, by operation.",
            new HistogramConfiguration { LabelNames = ["operation"], Buckets = Histogram.ExponentialBuckets(0.00005, 4, 9) });
        deliveredLive = Deliveries.WithLabels("live");
        deliveredStored = Deliveries.WithLabels("stored");
        Gauges = factory;
        var threads = factory.CreateGauge("purr_threadpool_threads", "Thread pool threads.");
        var queue = factory.CreateGauge("purr_threadpool_queue_length", "Work items waiting for the thread pool.");
        Registry.AddBeforeCollectCallback(() =>
        {
            threads.Set(ThreadPool.ThreadCount);
            queue.Set(ThreadPool.PendingWorkItemCount);
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>For modules that add their own gauges (connections, mailboxes, rooms).</summary>
    public IMetricFactory Gauges { get; }

    private Histogram Requests { get; }

    private Counter Errors { get; }

    private Counter FramesIn { get; }

    private Counter Deliveries { get; }

    private Histogram StoreOperations { get; }

    public void FrameReceived() => FramesIn.Inc();

    /// <summary>Frames taken up for handling so far (tests wait on it instead of sleeping).</summary>
    internal double FramesReceived => FramesIn.Value;

    public void Handled(Request.OpOneofCase operation, TimeSpan elapsed) =>
        requestsByOperation.GetOrAdd(operation, static (op, histogram) => histogram.WithLabels(op.ToString()), Requests).Observe(elapsed.TotalSeconds);

    public void Refused(ErrorCode code) => Errors.WithLabels(code.ToString()).Inc();

    public void Delivered(bool live) => (live ? deliveredLive : deliveredStored).Inc();

    public void StoreCall(string operation, TimeSpan elapsed) =>
        storeCallsByOperation.GetOrAdd(operation, static (op, histogram) => histogram.WithLabels(op), StoreOperations).Observe(elapsed.TotalSeconds);

    /// <summary>Gauges read when /metrics is scraped (counts that live elsewhere: connections, store totals).</summary>
    public void OnScrape(Func<CancellationToken, Task> refresh) => Registry.AddBeforeCollectCallback(refresh);
}
