using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Huntaze.Bench.Onboarding;
using Huntaze.Bench.Storage;
using Huntaze.Cli.Tokens;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.Audit.Denials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Huntaze.Bench.Security;

/// <summary>
/// What a junk credential costs (ADR 0007): closed-loop workers send admin requests with a forged token
/// (each answered 401) against the bench host, then the same workers do real reads (GET /api/onboarding).
/// Every storage request the app makes is counted by a pipeline policy, so the table shows storage
/// requests per request next to throughput, and how many denial rows the flood left.
/// </summary>
public static class DenialFlood
{
    public static async Task RunAsync(int seconds, int workers)
    {
        var counter = new StorageRequestCounter();
        await using var rig = await BenchRig.StartAsync(
            services => services.Replace(ServiceDescriptor.Singleton(sp => StorageRequestCounter.Counted(sp, counter))),
            CancellationToken.None);
        var forged = DevTokenFactory.Create(
            new DevTokenRequest("intruder", ["admin"], null, BenchRig.Issuer, BenchRig.Audience, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), TimeSpan.FromHours(1)),
            DateTimeOffset.UtcNow);
        var junk = rig.Client("intruder", forged);
        var flusher = rig.Services.GetRequiredService<DenialFlusher>();
        var rows = new List<string>
        {
            "| load | requests/s | p50 / p95 / p99 (ms) | errors | storage requests | storage requests per request |",
            "|---|---|---|---|---|---|",
        };

        await flusher.FlushAsync(CancellationToken.None);
        var before = counter.Count;
        var flood = await LoadRunner.RunAsync(workers, TimeSpan.FromSeconds(seconds), _ => async () =>
        {
            using var response = await junk.GetAsync("/api/admin/audit");
            return response.StatusCode == HttpStatusCode.Unauthorized;
        });
        await flusher.FlushAsync(CancellationToken.None);
        rows.Add(Row($"junk token → 401 ({workers} workers)", flood, counter.Count - before, seconds));

        before = counter.Count;
        var reads = await LoadRunner.RunAsync(workers, TimeSpan.FromSeconds(seconds), w =>
        {
            var reader = rig.Client($"bench-reader-{w}");
            return async () =>
            {
                using var response = await reader.GetAsync("/api/onboarding");
                return response.IsSuccessStatusCode;
            };
        });
        rows.Add(Row($"GET /api/onboarding ({workers} workers)", reads, counter.Count - before, seconds));

        var table = await rig.Services.GetRequiredService<StorageClients>().GetTableAsync(DenialStore.TableName, CancellationToken.None);
        var denialRows = 0;
        long denials = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>())
        {
            denialRows++;
            denials += entity.GetInt64("Total") ?? 0;
        }

        Console.WriteLine(string.Join(Environment.NewLine, rows));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"denial stream: {denials} refusals in {denialRows} rows (one per client, minute and instance); storage requests include the limiter, flag snapshot polls and denial flushes."));
    }

    private static string Row(string load, LoadResult result, long storageRequests, int seconds) => string.Create(CultureInfo.InvariantCulture,
        $"| {load} | {result.Throughput:0} | {result.P50:0.0} / {result.P95:0.0} / {result.P99:0.0} | {result.Errors} | {storageRequests} | {storageRequests / (result.Throughput * seconds):0.0000} |");
}
