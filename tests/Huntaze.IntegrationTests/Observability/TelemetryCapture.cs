using System.Collections;
using System.Diagnostics;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Huntaze.IntegrationTests.Observability;

/// <summary>
/// A local host of its own (own table prefix: kill-switch flips stay out of other tests' storage) whose
/// OpenTelemetry pipelines also export to memory, after the app's own processors (the redactor runs first).
/// </summary>
public sealed class TelemetryCapture : IAsyncDisposable
{
    private readonly LockedList<Activity> _spans;
    private readonly LockedList<MetricSnapshot> _metrics;

    private TelemetryCapture(LocalHostInstance host, LockedList<Activity> spans, LockedList<MetricSnapshot> metrics)
    {
        Host = host;
        _spans = spans;
        _metrics = metrics;
    }

    public LocalHostInstance Host { get; }

    public IReadOnlyList<Activity> Spans => _spans.Snapshot();

    public static async Task<TelemetryCapture> StartAsync(HostFixture fixture)
    {
        var spans = new LockedList<Activity>();
        var metrics = new LockedList<MetricSnapshot>();
        var host = await fixture.StartSecondHostAsync(
            new Dictionary<string, string?> { ["Storage__TablePrefix"] = "tel" + Guid.NewGuid().ToString("N")[..8] },
            services => services
                .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans))
                .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics, reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000)));
        return new TelemetryCapture(host, spans, metrics);
    }

    /// <summary>Collects every instrument now and returns the metric points exported so far.</summary>
    public IReadOnlyList<MetricSnapshot> CollectMetrics()
    {
        Host.Services.GetRequiredService<MeterProvider>().ForceFlush(30_000);
        return _metrics.Snapshot();
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    /// <summary>The exporters write from their own threads while tests read.</summary>
    private sealed class LockedList<T> : ICollection<T>
    {
        private readonly List<T> _items = [];
        private readonly Lock _gate = new();

        public int Count { get { lock (_gate) { return _items.Count; } } }

        public bool IsReadOnly => false;

        public IReadOnlyList<T> Snapshot() { lock (_gate) { return [.. _items]; } }

        public void Add(T item) { lock (_gate) { _items.Add(item); } }

        public void Clear() { lock (_gate) { _items.Clear(); } }

        public bool Contains(T item) { lock (_gate) { return _items.Contains(item); } }

        public void CopyTo(T[] array, int arrayIndex) { lock (_gate) { _items.CopyTo(array, arrayIndex); } }

        public bool Remove(T item) { lock (_gate) { return _items.Remove(item); } }

        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
