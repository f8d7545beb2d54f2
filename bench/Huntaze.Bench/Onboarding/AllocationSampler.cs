using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Huntaze.Bench.Onboarding;

/// <summary>
/// What one operation of the onboarding bench allocates, in this process (the bench's client, the host, the storage
/// client): the exact total per operation (<see cref="GC.GetTotalAllocatedBytes"/>) and, by type, the runtime's
/// allocation samples (one event per ~100 KB allocated, naming the type that crossed the line, so small shares are
/// rough). Compare an API operation with the bare endpoint (<see cref="BenchRig.FloorGet"/>): the difference is the
/// app's. Workers run closed loops as in the bench, after two unmeasured rounds.
/// </summary>
internal static class AllocationSampler
{
    public static async Task RunAsync(string operation, int requests, int workers)
    {
        var storage = new Storage.StorageRequestCounter();
        await using var rig = await BenchRig.StartAsync(
            services => Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.Replace(
                services, Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(sp => Storage.StorageRequestCounter.Counted(sp, storage))),
            CancellationToken.None);
        await rig.StartFloorAsync(CancellationToken.None);
        // "raw …" names the raw storage work of an operation (e.g. "raw GET"), anything else the API's or the floor's.
        var operations = Enumerable.Range(0, workers)
            .Select(w => operation.StartsWith("raw ", StringComparison.Ordinal) ? rig.RawOperation(operation[4..], workers, w) : rig.ApiOperation(operation, workers, w))
            .ToArray();
        var perWorker = Math.Max(1, requests / workers);
        await RoundAsync(operations, perWorker);
        await RoundAsync(operations, perWorker);

        var azurite = AzuriteCpu.Find();
        using var listener = new AllocationTicks();
        var node0 = azurite.CpuMilliseconds();
        var self0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var kinds = new Dictionary<string, long>(storage.ByKind);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await RoundAsync(operations, perWorker);
        var total = GC.GetTotalAllocatedBytes(precise: true) - before;
        watch.Stop();
        var self = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - self0;
        var node = azurite.CpuMilliseconds() - node0;
        listener.Dispose();

        var measured = (double)perWorker * workers;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{operation}, {workers} workers: {measured / watch.Elapsed.TotalSeconds:F0} operations/s; CPU ms per operation: this process {self / measured:F3}, Azurite {node / measured:F3}"));
        foreach (var (kind, count) in storage.ByKind.OrderByDescending(k => k.Value))
        {
            var delta = count - kinds.GetValueOrDefault(kind);
            if (delta > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{operation}, {workers} workers: storage requests per operation {delta / measured:F4}  {kind}"));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{operation}, {workers} workers: {total / measured / 1024:F1} KB per operation; sampled by type (KB per operation):"));
        foreach (var (type, bytes) in listener.ByType.OrderByDescending(t => t.Value).Take(40))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / measured / 1024,8:F2}  {type}"));
        }
    }

    private static Task RoundAsync(Func<Task<bool>>[] operations, int perWorker) =>
        Task.WhenAll(operations.Select(async operation =>
        {
            for (var i = 0; i < perWorker; i++)
            {
                await operation();
            }
        }));

    /// <summary>The runtime's <c>GCAllocationTick</c> events, summed by type name.</summary>
    private sealed class AllocationTicks : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;

        public ConcurrentDictionary<string, long> ByType { get; } = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
            {
                return;
            }

            var type = names.IndexOf("TypeName");
            var amount = names.IndexOf("AllocationAmount64");
            if (type >= 0 && amount >= 0 && payload[type] is string name)
            {
                var bytes = Convert.ToInt64(payload[amount], CultureInfo.InvariantCulture);
                ByType.AddOrUpdate(name, bytes, (_, sum) => sum + bytes);
            }
        }
    }
}
