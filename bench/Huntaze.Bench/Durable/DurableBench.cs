using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Cli.Tokens;
using Huntaze.Functions.Onboarding.Migrations;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Storage;
using Huntaze.LocalHost;
using Huntaze.LocalHost.Durable;
using Huntaze.LocalHost.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Huntaze.Bench.Durable;

/// <summary>
/// Before (the in-memory engine) and after (Azure Storage provider behind the sidecar) in one run, each on
/// an Azurite of its own with the local tuning developers run (local.settings.sample.json): a chain of 3
/// activities start to completion (p50/p95 over N runs), a fan-out/fan-in of 100 activities, and the
/// 10,000-user step migration through the admin API. The migration's raw storage floor (the same page queries and
/// per-user transactions straight through the SDK, no orchestration) is measured in the same run, before and after
/// it, for the ratio; table requests are counted from the client side for both.
/// </summary>
internal static class DurableBench
{
    private const string Step = "ai_assistant_setup";
    private const string Issuer = "https://huntaze.local/bench";
    private const string Audience = "api://huntaze-onboarding";
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static async Task RunAsync(int chains, int fanOut, int users, IReadOnlyList<DurableProvider>? providers = null)
    {
        var rows = new List<string>
        {
            $"| provider | chain of 3: p50 / p95 / max (ms, {chains} runs) | fan-out/fan-in {fanOut}: median of 3 (ms) | migration of {users:N0} users via the API (s) | raw floor before / after (s) | migration / raw floor | table requests per user: migration / raw | load average at the migration |",
            "|---|---|---|---|---|---|---|---|",
        };
        foreach (var provider in providers ?? [DurableProvider.InMemory, DurableProvider.AzureStorage])
        {
            await using var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), location: null, CancellationToken.None);
            await using var app = await StartHostAsync(azurite, provider);
            var client = app.Services.GetRequiredService<DurableTaskClient>();

            var chain = new List<double>();
            for (var i = 0; i < chains + 2; i++)
            {
                var elapsed = await RunToCompletionAsync(client, BenchOrchestrations.Chain, null);
                if (i >= 2)
                {
                    chain.Add(elapsed.TotalMilliseconds); // the first two warm the engine up
                }
            }

            var fan = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                fan.Add((await RunToCompletionAsync(client, BenchOrchestrations.FanOut, fanOut)).TotalMilliseconds);
            }

            chain.Sort();
            fan.Sort();
            Console.WriteLine($"{provider}: chain p50 {Percentile(chain, 0.5):0} ms, p95 {Percentile(chain, 0.95):0} ms, max {chain[^1]:0} ms; fan-out {fanOut} median {fan[1]:0} ms");

            // The floor rewrites the very entities the migration moves (Azurite's cost per update depends on the
            // entities sharing the row key and on the table's size), before and after it, bracketing the migration
            // against a machine whose load moves.
            using var requests = new TableRequestCounter(azurite.Ports.Table);
            var store = app.Services.GetRequiredService<IProgressStore>();
            var seed = Stopwatch.StartNew();
            await SeedAsync(store, Step, users);
            Console.WriteLine($"{provider}: seeded {users:N0} users in {seed.Elapsed.TotalSeconds:0.0} s");

            var before = await RawFloorAsync(app, users, requests);
            Console.WriteLine($"{provider}: raw floor {before.Elapsed.TotalSeconds:0.0} s ({before.Requests / (double)users:0.00} table requests per user), load {Load()}");
            var load = Load();
            var start = requests.Count;
            var migration = await MigrateThroughApiAsync(app, users);
            var migrationRequests = requests.Count - start;
            Console.WriteLine($"{provider}: migration {migration.TotalSeconds:0.0} s ({migrationRequests / (double)users:0.00} table requests per user), load {load} -> {Load()}");
            var after = await RawFloorAsync(app, users, requests);
            Console.WriteLine($"{provider}: raw floor {after.Elapsed.TotalSeconds:0.0} s ({after.Requests / (double)users:0.00} table requests per user), load {Load()}");

            var floor = (before.Elapsed + after.Elapsed) / 2;
            var row = $"| {provider} | {Percentile(chain, 0.5):0} / {Percentile(chain, 0.95):0} / {chain[^1]:0} | {fan[1]:0} | {migration.TotalSeconds:0.0} | " +
                $"{before.Elapsed.TotalSeconds:0.0} / {after.Elapsed.TotalSeconds:0.0} | {migration / floor:0.00} | " +
                $"{migrationRequests / (double)users:0.00} / {(before.Requests + after.Requests) / (2.0 * users):0.00} | {load} |";
            Console.WriteLine(row);
            rows.Add(row);
        }

        Console.WriteLine();
        Console.WriteLine(string.Join(Environment.NewLine, rows));
    }

    /// <summary>
    /// The storage work of a migration and nothing else: the same page query (1,000 per page) and, per user, the same
    /// entity-group transaction the store sends (the user's guide replaced under the ETag listed, its journal row inserted),
    /// straight through the SDK with the app's parallelism: no orchestration, activity, restriction check or retry layer.
    /// The step keeps its version (the revision moves), so the floor can run on the migrated step before and after it.
    /// </summary>
    private static async Task<(TimeSpan Elapsed, long Requests)> RawFloorAsync(WebApplication app, int users, TableRequestCounter requests)
    {
        var options = app.Services.GetRequiredService<IOptions<OnboardingOptions>>().Value;
        var journal = app.Services.GetRequiredService<WriteJournal>();
        var table = await app.Services.GetRequiredService<StorageClients>().GetTableAsync(options.TableName, CancellationToken.None);
        var start = requests.Count;
        var migrated = 0;
        var watch = Stopwatch.StartNew();
        string? token = null;
        do
        {
            await foreach (var page in table.QueryAsync<TableEntity>(ProgressEntities.AllGuides, 1000).AsPages(token, 1000))
            {
                var now = DateTimeOffset.UtcNow;
                await Parallel.ForEachAsync(page.Values, new ParallelOptions { MaxDegreeOfParallelism = options.MigrationParallelism }, async (entity, ct) =>
                {
                    var guide = ProgressEntities.ToSnapshot(entity.PartitionKey, entity);
                    var listed = guide.Steps[Step];
                    var moved = MigrationService.Apply(listed.Value, listed.Value.StepVersion, MigrationPolicy.Keep, now);
                    var next = new ProgressCommit(listed with { Value = moved }, null).ApplyTo(guide)!;
                    var batch = new TableWriteBatch(entity.PartitionKey).Put(ProgressEntities.From(next), guide.ETag, guide.WriteIds);
                    journal.Append(batch, options.TableName);
                    await table.SubmitTransactionAsync(batch.Actions, ct);
                    Interlocked.Increment(ref migrated);
                });
                token = page.ContinuationToken;
                break;
            }
        }
        while (token is not null);

        if (migrated != users)
        {
            throw new InvalidOperationException($"The raw floor migrated {migrated} users of {users}.");
        }

        return (watch.Elapsed, requests.Count - start);
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static async Task<WebApplication> StartHostAsync(AzuriteProcess azurite, DurableProvider provider)
    {
        var settings = Huntaze.LocalHost.Configuration.LocalSettings.SampleDurableTuning();
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        settings["AzureFunctionsJobHost__extensions__durableTask__hubName"] = "bench" + provider;
        settings["LocalHost__Durable__Provider"] = provider.ToString();
        settings["Storage__TablePrefix"] = "bench";
        settings["Auth__Issuer"] = Issuer;
        settings["Auth__Audience"] = Audience;
        settings["Auth__DevelopmentSigningKey"] = SigningKey;
        settings["RateLimits__step-writes__Limit"] = "100000";
        settings["RateLimits__reads__Limit"] = "100000"; // the status URL is polled every 50 ms
        settings["Logging__LogLevel__Default"] = "Warning";
        settings["Privacy__RetentionSchedule"] = "0 0 0 1 1 *"; // required like in Azure; once a year, so it never fires here
        var app = LocalHostApp.Build(LoopbackServer.Arguments, new LocalHostOptions
        {
            Settings = BenchTimers.Quiet(settings),
            UseLocalSettingsFile = false,
            PrintFunctionTable = false,
            ExtraFunctionAssemblies = [typeof(BenchOrchestrations).Assembly],
        });
        await app.StartAsync();
        return app;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Schedule to completion, polling the instance every 10 ms (waiting APIs answer in coarse steps).</summary>
    private static async Task<TimeSpan> RunToCompletionAsync(DurableTaskClient client, string name, object? input)
    {
        var watch = Stopwatch.StartNew();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(name, input);
        while (true)
        {
            var instance = await client.GetInstanceAsync(id);
            if (instance?.IsCompleted == true)
            {
                if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                {
                    throw new InvalidOperationException($"{name} ended {instance.RuntimeStatus}.");
                }

                return watch.Elapsed;
            }

            await Task.Delay(10);
        }
    }

    private static async Task SeedAsync(IProgressStore store, string step, int users)
    {
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var progress = StepProgress.Empty(step) with { Status = StepStatus.Completed, Revision = 1, StepVersion = 1, CompletedAt = now, UpdatedAt = now };
            await store.CommitAsync(ProgressSnapshot.Empty($"bench-{i:D5}"), new ProgressCommit(new Stored<StepProgress>(progress, null), null), ct);
        });
    }

    private static async Task<TimeSpan> MigrateThroughApiAsync(WebApplication app, int users)
    {
        var address = LoopbackServer.AddressOf(app);
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevTokenFactory.Create(
            new DevTokenRequest("bench-admin", ["admin"], "US", Issuer, Audience, SigningKey, TimeSpan.FromHours(1)), DateTimeOffset.UtcNow));
        var watch = Stopwatch.StartNew();
        using var start = await client.PostAsJsonAsync("/api/admin/onboarding/migrations", new { stepId = Step, toVersion = 2, policy = "keep" });
        start.EnsureSuccessStatusCode();
        var statusUrl = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonElement>(statusUrl);
            var state = status.GetProperty("state").GetString();
            if (state is "completed" or "failed" or "terminated")
            {
                if (state != "completed" || status.GetProperty("scanned").GetInt64() != users)
                {
                    throw new InvalidOperationException($"Migration ended {status}.");
                }

                return watch.Elapsed;
            }

            await Task.Delay(50);
        }
    }
}
