using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Huntaze.Functions.Onboarding.Progress;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Bench.Onboarding;

/// <summary>
/// Issue 15, item 5: the named load scenario. Workers in a closed loop each pick, per request, a user at random
/// among many and an operation by the issue's mix: 80 % guide reads (<c>GET /api/onboarding</c>), 15 % step
/// writes (<c>PATCH /api/onboarding/steps/{id}</c> with the user's last ETag), 5 % snoozes and gates (half each),
/// under the production rate limits (local.settings.sample.json). The raw storage floor runs the same mix of
/// storage work (partition query; point read + conditional update of the step; of the state; partition query)
/// from the same number of workers in alternating one-second slices, so both see the same machine load.
/// A 4xx is the API's answer (a 409 closed gate, a 412 stale ETag, a 429 spent budget) and is counted per status;
/// errors are 5xx and failed requests.
/// </summary>
internal static class MixScenario
{
    private static readonly (string Name, double Upto)[] Mix = [("guide read", 0.80), ("step write", 0.95), ("snooze", 0.975), ("gate", 1.0)];

    /// <summary>The production limits of the policies the mix touches (local.settings.sample.json).</summary>
    private static readonly Dictionary<string, string?> ProductionLimits = new()
    {
        ["RateLimits__reads__Limit"] = "600",
        ["RateLimits__reads__WindowSeconds"] = "60",
        ["RateLimits__reads__ReservationSize"] = "12",
        ["RateLimits__step-writes__Limit"] = "20",
        ["RateLimits__step-writes__WindowSeconds"] = "60",
        ["RateLimits__step-writes__ReservationSize"] = "1",
        ["RateLimits__snooze__Limit"] = "3",
        ["RateLimits__snooze__WindowSeconds"] = "86400",
        ["RateLimits__snooze__ReservationSize"] = "1",
    };

    public static async Task RunAsync(int seconds, int workers, int users)
    {
        await using var rig = await BenchRig.StartAsync(ProductionLimits, null, CancellationToken.None);
        // One client for every user (a token per request): thousands of users, not thousands of connection pools.
        using var client = new HttpClient { BaseAddress = rig.BaseAddress };
        var tokens = new ConcurrentDictionary<string, string>();
        var api = new Tally();
        var raw = new Tally();
        var etags = new ConcurrentDictionary<string, string>();
        var measuring = false;
        await SeedAsync(rig, users);
        var started = DateTimeOffset.UtcNow;

        var results = await LoadRunner.RunInterleavedAsync(
            workers,
            TimeSpan.FromSeconds(seconds),
            () => measuring = true,
            w => ApiOperation(client, tokens, new Random(w), users, etags, api, () => measuring),
            w => RawOperation(rig.RawTable, new Random(1000 + w), users, raw, () => measuring));

        Console.WriteLine($"mix: {seconds} s per side, {workers} workers, {users} users, production rate limits; started {started:u}");
        Console.WriteLine();
        Console.WriteLine("| side | operation | share | p50 / p95 / p99 (ms) | req/s | errors (5xx, failed) | answers |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine(Row("API", "all", results[0], api.Count, api.Statuses(null)));
        foreach (var (name, _) in Mix)
        {
            Console.WriteLine(api.Row("API", name, results[0].Throughput));
        }

        Console.WriteLine(Row("raw storage", "all", results[1], raw.Count, raw.Statuses(null)));
        foreach (var (name, _) in Mix)
        {
            Console.WriteLine(raw.Row("raw storage", name, results[1].Throughput));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio API / raw: p50 {results[0].P50 / results[1].P50:0.00}, p95 {results[0].P95 / results[1].P95:0.00}, p99 {results[0].P99 / results[1].P99:0.00}, throughput {results[0].Throughput / results[1].Throughput:0.00}; " +
            $"API error rate {100.0 * results[0].Errors / Math.Max(1, api.Count):0.00} %"));
    }

    private static string Row(string side, string operation, LoadResult result, int count, string statuses) => string.Create(CultureInfo.InvariantCulture,
        $"| {side} | {operation} | 100 % | {result.P50:0.0} / {result.P95:0.0} / {result.P99:0.0} | {result.Throughput:0} | {result.Errors} ({100.0 * result.Errors / Math.Max(1, count):0.00} %) | {statuses} |");

    private static string Pick(Random random)
    {
        var roll = random.NextDouble();
        return Mix.First(m => roll < m.Upto).Name;
    }

    private static string User(Random random, int users) => $"mix-{random.Next(users)}";

    private static Func<Task<bool>> ApiOperation(
        HttpClient client, ConcurrentDictionary<string, string> tokens, Random random, int users, ConcurrentDictionary<string, string> etags, Tally tally, Func<bool> measuring) => async () =>
    {
        var operation = Pick(random);
        var user = User(random, users);
        using var request = operation switch
        {
            "guide read" => new HttpRequestMessage(HttpMethod.Get, "/api/onboarding"),
            "step write" => new HttpRequestMessage(HttpMethod.Patch, $"/api/onboarding/steps/{BenchRig.Step}")
            {
                Content = new StringContent("{\"status\":\"in_progress\",\"data\":{\"n\":" + random.Next().ToString(CultureInfo.InvariantCulture) + "}}", Encoding.UTF8, "application/json"),
            },
            "snooze" => new HttpRequestMessage(HttpMethod.Post, "/api/onboarding/snooze") { Content = new StringContent("""{"days":1}""", Encoding.UTF8, "application/json") },
            _ => new HttpRequestMessage(HttpMethod.Get, "/api/onboarding/gates/publish_offers"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.GetOrAdd(user, BenchRig.Token));
        if (operation == "step write")
        {
            request.Headers.TryAddWithoutValidation("If-Match", etags.GetValueOrDefault(user, "\"step-0\""));
        }

        var start = Stopwatch.GetTimestamp();
        int status;
        try
        {
            using var response = await client.SendAsync(request);
            status = (int)response.StatusCode;
            if (operation == "step write" && response.Headers.ETag is { } tag)
            {
                etags[user] = tag.ToString();
            }
        }
        catch (HttpRequestException)
        {
            status = 0;
        }

        tally.Add(operation, Stopwatch.GetElapsedTime(start).TotalMilliseconds, status, measuring());
        return status is > 0 and < 500;
    };

    /// <summary>The storage work each operation stands for, done directly with Azure.Data.Tables.</summary>
    private static Func<Task<bool>> RawOperation(TableClient table, Random random, int users, Tally tally, Func<bool> measuring) => async () =>
    {
        var operation = Pick(random);
        var user = $"raw-{User(random, users)}";
        var start = Stopwatch.GetTimestamp();
        int status;
        try
        {
            if (operation is "guide read" or "gate")
            {
                status = (await table.GetEntityAsync<TableEntity>(user, ProgressEntities.GuideKey(user))).GetRawResponse().Status;
            }
            else
            {
                var entity = (await table.GetEntityAsync<TableEntity>(user, ProgressEntities.GuideKey(user))).Value;
                entity["Revision"] = (entity.GetInt32("Revision") ?? 0) + 1;
                var response = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);
                status = response.Status;
            }
        }
        catch (Azure.RequestFailedException e)
        {
            status = e.Status;
        }

        tally.Add(operation, Stopwatch.GetElapsedTime(start).TotalMilliseconds, status is 204 ? 200 : status, measuring());
        return status is > 0 and < 500;
    };

    /// <summary>
    /// Every user starts with a step in progress and a state, on both sides, in the same table and the same entity
    /// shape (ADR 0018). The app's through its own store, the raw side directly.
    /// </summary>
    private static async Task SeedAsync(BenchRig rig, int users)
    {
        var store = rig.Services.GetRequiredService<IProgressStore>();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var step = new StepProgress(BenchRig.Step, StepStatus.InProgress, 0, 1, "{\"n\":0}", now, null, now);
            await store.CommitAsync(ProgressSnapshot.Empty($"mix-{i}"), new ProgressCommit(new Stored<StepProgress>(step, null), new Stored<OnboardingState>(OnboardingState.Empty, null)), ct);
            var user = $"raw-mix-{i}";
            await rig.RawTable.UpsertEntityAsync(BenchRig.RawGuide(user), TableUpdateMode.Replace, ct);
        });
    }

    /// <summary>Latencies and statuses per operation, measured slices only.</summary>
    private sealed class Tally
    {
        private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _latencies = new();
        private readonly ConcurrentDictionary<(string Operation, int Status), int> _statuses = new();

        public int Count => _statuses.Values.Sum();

        public void Add(string operation, double milliseconds, int status, bool measured)
        {
            if (!measured)
            {
                return;
            }

            _latencies.GetOrAdd(operation, _ => []).Add(milliseconds);
            _statuses.AddOrUpdate((operation, status), 1, (_, n) => n + 1);
        }

        public string Statuses(string? operation) => string.Join(", ",
            _statuses.Where(s => operation is null || s.Key.Operation == operation)
                .GroupBy(s => s.Key.Status).OrderBy(g => g.Key)
                .Select(g => $"{(g.Key == 0 ? "failed" : g.Key.ToString(CultureInfo.InvariantCulture))}×{g.Sum(s => s.Value)}"));

        public string Row(string side, string operation, double throughput)
        {
            var sorted = _latencies.GetValueOrDefault(operation)?.Order().ToArray() ?? [];
            var errors = _statuses.Where(s => s.Key.Operation == operation && s.Key.Status is 0 or >= 500).Sum(s => s.Value);
            return string.Create(CultureInfo.InvariantCulture,
                $"| {side} | {operation} | {100.0 * sorted.Length / Math.Max(1, Count):0.0} % | {LoadRunner.Percentile(sorted, 0.5):0.0} / {LoadRunner.Percentile(sorted, 0.95):0.0} / {LoadRunner.Percentile(sorted, 0.99):0.0} | {throughput * sorted.Length / Math.Max(1, Count):0} | {errors} | {Statuses(operation)} |");
        }
    }
}
