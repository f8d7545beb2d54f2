using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Huntaze.Bench.Onboarding;
using Huntaze.Cli.Tokens;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.Audit.Denials;
using Huntaze.LocalHost;
using Huntaze.LocalHost.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Huntaze.Bench.Security;

/// <summary>
/// What a junk credential costs (ADR 0007): closed-loop workers send admin requests with a forged token
/// (each answered 401) against the local host, then the same workers do real reads (GET /api/onboarding).
/// Every storage request the app makes is counted by a pipeline policy, so the table shows storage
/// requests per junk request next to throughput, and how many denial rows the flood left.
/// </summary>
public static class DenialFlood
{
    private const string Issuer = "https://huntaze.local/bench";
    private const string Audience = "api://huntaze-onboarding";

    public static async Task RunAsync(int seconds, int workers)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var ct = stop.Token;
        await using var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), null, ct);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var counter = new CountingPolicy();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage__TablePrefix"] = "bench",
            ["Auth__Issuer"] = Issuer,
            ["Auth__Audience"] = Audience,
            ["Auth__DevelopmentSigningKey"] = key,
            ["Flags__SeedEnabled__0"] = "Onboarding",
            ["RateLimits__reads__Limit"] = "100000000",
            ["RateLimits__reads__ReservationSize"] = "12",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var app = LocalHostApp.Build(["--urls", "http://127.0.0.1:0"], new LocalHostOptions
        {
            Settings = settings,
            UseLocalSettingsFile = false,
            PrintFunctionTable = false,
            ConfigureServices = services => services.Replace(ServiceDescriptor.Singleton(_ => Counted(azurite.ConnectionString, counter))),
        });
        await app.StartAsync(ct);
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var forged = Token("intruder", ["admin"], Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            var flusher = app.Services.GetRequiredService<DenialFlusher>();
            using var junk = Client(address, forged);
            var readers = Enumerable.Range(0, workers).Select(w => Client(address, Token($"bench-reader-{w}", ["user"], key))).ToArray();
            await WaitUntilEnabledAsync(readers[0], ct);

            var rows = new List<string>
            {
                "| load | requests/s | p50 / p95 / p99 (ms) | errors | storage requests | storage requests per request |",
                "|---|---|---|---|---|---|",
            };
            await flusher.FlushAsync(ct);
            var before = counter.Count;
            var flood = await LoadRunner.RunAsync(workers, TimeSpan.FromSeconds(seconds), _ => async () =>
            {
                using var response = await junk.GetAsync("/api/admin/audit", ct);
                return response.StatusCode == HttpStatusCode.Unauthorized;
            });
            await flusher.FlushAsync(ct);
            rows.Add(Row($"junk token → 401 ({workers} workers)", flood, counter.Count - before, seconds));

            before = counter.Count;
            var reads = await LoadRunner.RunAsync(workers, TimeSpan.FromSeconds(seconds), w => async () =>
            {
                using var response = await readers[w].GetAsync("/api/onboarding", ct);
                return response.IsSuccessStatusCode;
            });
            rows.Add(Row($"GET /api/onboarding ({workers} workers)", reads, counter.Count - before, seconds));

            var table = new TableClient(azurite.ConnectionString, "bench" + DenialStore.TableName);
            var denialRows = 0;
            long denials = 0;
            await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: ct))
            {
                denialRows++;
                denials += entity.GetInt64("Total") ?? 0;
            }

            Console.WriteLine(string.Join(Environment.NewLine, rows));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"denial stream: {denials} refusals in {denialRows} rows (one per client, minute and instance); storage requests include the limiter, flag snapshot polls and denial flushes."));
            foreach (var client in readers)
            {
                client.Dispose();
            }
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private static string Row(string load, LoadResult result, long storageRequests, int seconds)
    {
        var requests = result.Throughput * seconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {load} | {result.Throughput:0} | {result.P50:0.0} / {result.P95:0.0} / {result.P99:0.0} | {result.Errors} | {storageRequests} | {storageRequests / requests:0.0000} |");
    }

    private static StorageClients Counted(string connectionString, CountingPolicy counter)
    {
        var tableOptions = new TableClientOptions();
        var blobOptions = new BlobClientOptions();
        tableOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        blobOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        return new StorageClients(new TableServiceClient(connectionString, tableOptions), new BlobServiceClient(connectionString, blobOptions), "bench");
    }

    private static string Token(string user, string[] roles, string key) =>
        DevTokenFactory.Create(new DevTokenRequest(user, roles, "US", Issuer, Audience, key, TimeSpan.FromHours(1)), DateTimeOffset.UtcNow);

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task WaitUntilEnabledAsync(HttpClient client, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var response = await client.GetAsync("/api/onboarding", ct);
            if (response.IsSuccessStatusCode && !(await response.Content.ReadAsStringAsync(ct)).Contains("\"enabled\":false", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100, ct);
        }

        throw new InvalidOperationException("Onboarding never became enabled on the bench host.");
    }

    /// <summary>Counts every request the app sends to storage (retries included).</summary>
    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
