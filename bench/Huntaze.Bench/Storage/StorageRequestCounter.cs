using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Huntaze.Bench.Storage;

/// <summary>Counts every request the app sends to storage (retries included).</summary>
internal sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private long _count;

    /// <summary>The app's storage clients, configured as the app configures them, with the counting policy added.</summary>
    internal static StorageClients Counted(IServiceProvider services, StorageRequestCounter counter)
    {
        var configuration = services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var tableOptions = StorageServiceCollectionExtensions.Configure(new TableClientOptions(), options);
        var blobOptions = StorageServiceCollectionExtensions.Configure(new BlobClientOptions(), options);
        tableOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        blobOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        var connectionString = configuration["AzureWebJobsStorage"]!;
        return new StorageClients(new TableServiceClient(connectionString, tableOptions), new BlobServiceClient(connectionString, blobOptions), options.TablePrefix, services.GetRequiredService<IDeclaredStores>());
    }

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Requests by method and path (keys and query left out).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, long> ByKind { get; } = new();

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _count);
        var path = message.Request.Uri.Path;
        var paren = path.IndexOf('(', StringComparison.Ordinal);
        var kind = $"{message.Request.Method} {(paren > 0 ? path[..paren] + "(…)" : path)}";
        ByKind.AddOrUpdate(kind, 1, (_, c) => c + 1);
        message.SetProperty(typeof(StorageRequestCounter), System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Every call's duration (ms) since the slice trace last took them, from counters that record them (the
    /// onboarding benchmark's with HUNTAZE_BENCH_TRACE_SLICES=1; nothing else drains the queue).
    /// </summary>
    public static System.Collections.Concurrent.ConcurrentQueue<double> Durations { get; } = new();

    /// <summary>Whether this counter adds to <see cref="Durations"/> (and reports calls slower than 150 ms).</summary>
    public bool RecordsDurations { get; init; }

    public override void OnReceivedResponse(HttpMessage message)
    {
        if (RecordsDurations && message.TryGetProperty(typeof(StorageRequestCounter), out var started) && started is long ticks)
        {
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(ticks);
            Durations.Enqueue(elapsed.TotalMilliseconds);
            if (elapsed > TimeSpan.FromMilliseconds(150))
            {
                Console.Error.WriteLine($"slow storage {DateTime.UtcNow:HH:mm:ss.fff} {message.Request.Method} {message.Request.Uri.Path}: {elapsed.TotalMilliseconds:0} ms");
            }
        }

        if (message.ProcessingContext.RetryNumber > 0)
        {
            ByKind.AddOrUpdate($"retry #{message.ProcessingContext.RetryNumber} {message.Request.Method}", 1, (_, c) => c + 1);
        }

        if (message.Response.Status >= 400)
        {
            var code = message.Response.Headers.TryGetValue("x-ms-error-code", out var header) ? header : "";
            ByKind.AddOrUpdate($"{message.Request.Method} answered {message.Response.Status} {code}", 1, (_, c) => c + 1);
        }
    }
}
