using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Huntaze.Cli.Tokens;
using Huntaze.Functions.Onboarding.Migrations;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.LocalHost;
using Huntaze.LocalHost.Durable;
using Huntaze.LocalHost.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Bench.Durable;

/// <summary>
/// Before (the in-memory engine) and after (Azure Storage provider behind the sidecar) in one run, each on
/// an Azurite of its own with the local tuning developers run (local.settings.sample.json): a chain of 3
/// activities start to completion (p50/p95 over N runs), a fan-out/fan-in of 100 activities, and the
/// 10,000-user step migration through the admin API. The migration's raw work (the same page migration
/// called directly, no orchestration) is measured in the same run for the ratio.
/// </summary>
internal static class DurableBench
{
    private const string Step = "ai_assistant_setup";
    private const string RawStep = "creator_assessment";
    private const string Issuer = "https://huntaze.local/bench";
    private const string Audience = "api://huntaze-onboarding";
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static async Task RunAsync(int chains, int fanOut, int users)
    {
        var rows = new List<string>
        {
            $"| provider | chain of 3: p50 / p95 / max (ms, {chains} runs) | fan-out/fan-in {fanOut}: median of 3 (ms) | migration of {users:N0} users via the API (s) | raw page migration (s) | migration / raw |",
            "|---|---|---|---|---|---|",
        };
        foreach (var provider in new[] { DurableProvider.InMemory, DurableProvider.AzureStorage })
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

            // The raw work: the same page migration over as many users (another step, no orchestration).
            var store = app.Services.GetRequiredService<IProgressStore>();
            await SeedAsync(store, Step, users);
            var migration = await MigrateThroughApiAsync(app, users);
            await SeedAsync(store, RawStep, users);
            var watch = Stopwatch.StartNew();
            var direct = await app.Services.GetRequiredService<MigrationService>().MigratePageAsync(
                new MigrationPageInput(RawStep, 2, "keep", false, null, int.MaxValue), CancellationToken.None);
            var raw = watch.Elapsed;
            if (direct.Counts.Changed != users)
            {
                throw new InvalidOperationException($"The direct migration changed {direct.Counts.Changed} users.");
            }

            var row = $"| {provider} | {Percentile(chain, 0.5):0} / {Percentile(chain, 0.95):0} / {chain[^1]:0} | {fan[1]:0} | {migration.TotalSeconds:0.0} | {raw.TotalSeconds:0.0} | {migration / raw:0.0} |";
            Console.WriteLine(row);
            rows.Add(row);
        }

        Console.WriteLine();
        Console.WriteLine(string.Join(Environment.NewLine, rows));
    }

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
        var app = LocalHostApp.Build(["--urls", "http://127.0.0.1:0"], new LocalHostOptions
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
            await store.CommitAsync($"bench-{i:D5}", new ProgressCommit(new Stored<StepProgress>(progress, null), null), ct);
        });
    }

    private static async Task<TimeSpan> MigrateThroughApiAsync(WebApplication app, int users)
    {
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
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
