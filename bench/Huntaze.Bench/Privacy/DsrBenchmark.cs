using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Huntaze.Cli.Tokens;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Subjects;
using Huntaze.Functions.Security.Audit;
using Huntaze.Functions.Security.RateLimiting;
using Huntaze.LocalHost;
using Huntaze.LocalHost.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Bench.Privacy;

/// <summary>
/// Data-subject requests end to end through the local host (DPO endpoints, status polled every 50 ms):
/// export and erasure of a user holding <c>rows</c> rows spread over the stores, repeated; then
/// <c>concurrent</c> users' requests at once. The raw baseline is the same storage work done directly
/// with Azure.Data.Tables in the same run (read every row; delete or rewrite every row), so the ratio is
/// what the orchestration, the handlers and the audit add. Each single run also prints when each phase of the
/// workflow was first seen (the status view's progress), which shows where the time goes. The host runs with the
/// Durable tuning developers run locally (local.settings.sample.json: queues polled at most 100 ms apart); in Azure
/// the provider's default (30 s) applies, so there an idle hub's first step can wait up to 30 s.
/// </summary>
internal static class DsrBenchmark
{
    private const string Issuer = "https://huntaze.local/bench";
    private const string Audience = "api://huntaze-onboarding";
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static async Task RunAsync(int rows, int concurrent, int repeats)
    {
        var ct = CancellationToken.None;
        await using var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), location: null, ct);
        var app = LocalHostApp.Build(LoopbackServer.Arguments, new LocalHostOptions { Settings = BenchTimers.Quiet(Settings(azurite.ConnectionString)), UseLocalSettingsFile = false, PrintFunctionTable = false });
        await app.StartAsync(ct);
        try
        {
            var http = new HttpClient { BaseAddress = LoopbackServer.AddressOf(app), Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevTokenFactory.Create(new DevTokenRequest("bench-dpo", ["dpo"], null, Issuer, Audience, SigningKey, TimeSpan.FromHours(2)), DateTimeOffset.UtcNow));
            var seeder = new Seeder(app.Services);
            Console.WriteLine($"Seeding: {rows} rows per user (onboarding 60 %, audit 15 %, rate limits 10 %, requests ~10 %, flags 5 %, controls 2).");

            var export = new List<double>();
            var erase = new List<double>();
            var rawExport = new List<double>();
            var rawErase = new List<double>();
            for (var i = 0; i < repeats; i++)
            {
                var user = $"bench{i}-{Guid.NewGuid():N}"[..20];
                var raw = $"raw{i}-{Guid.NewGuid():N}"[..20];
                await seeder.SeedAsync(user, rows, ct);
                await seeder.SeedAsync(raw, rows, ct);
                var phases = new List<string>();
                export.Add(await TimeRequestAsync(http, "/api/admin/dsr/export", new { userId = user, reason = "bench" }, ct, phases));
                var exportPhases = string.Join(", ", phases);
                phases.Clear();
                erase.Add(await TimeRequestAsync(http, "/api/admin/dsr/delete", new { userId = user, reason = "bench", confirm = true }, ct, phases));
                rawExport.Add(await TimeAsync(() => seeder.RawReadAsync(raw, ct)));
                rawErase.Add(await TimeAsync(() => seeder.RawEraseAsync(raw, ct)));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {i + 1}: export {export[^1]:0} ms (raw {rawExport[^1]:0}), erasure {erase[^1]:0} ms (raw {rawErase[^1]:0})"));
                Console.WriteLine($"    export phases first seen at: {exportPhases}");
                Console.WriteLine($"    erasure phases first seen at: {string.Join(", ", phases)}");
            }

            var concurrentRows = Math.Max(10, rows / 10);
            var users = Enumerable.Range(0, concurrent).Select(i => $"conc{i}-{Guid.NewGuid():N}"[..20]).ToList();
            await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (u, c) => await seeder.SeedAsync(u, concurrentRows, c, auditEntries: 5));
            var exportPhasesAtOnce = users.Select(_ => new List<string>()).ToList();
            var concurrentExport = await Task.WhenAll(users.Select((u, i) => TryTimeRequestAsync(http, "/api/admin/dsr/export", new { userId = u, reason = "bench" }, ct, exportPhasesAtOnce[i])));
            PrintSlowest("export", concurrentExport, exportPhasesAtOnce);
            var erasePhasesAtOnce = users.Select(_ => new List<string>()).ToList();
            var concurrentErase = await Task.WhenAll(users.Select((u, i) => TryTimeRequestAsync(http, "/api/admin/dsr/delete", new { userId = u, reason = "bench", confirm = true }, ct, erasePhasesAtOnce[i])));
            PrintSlowest("erasure", concurrentErase, erasePhasesAtOnce);

            Console.WriteLine();
            Console.WriteLine("| what | requests | errors | p50 (ms) | p95 (ms) | max (ms) | raw storage p50 (ms) | p50 ratio |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            Row($"export, {rows} rows", export, rawExport);
            Row($"erasure, {rows} rows", erase, rawErase);
            Row($"export, {concurrent} at once ({concurrentRows} rows each)", [.. concurrentExport.OfType<double>()], null, concurrentExport.Count(t => t is null));
            Row($"erasure, {concurrent} at once ({concurrentRows} rows each)", [.. concurrentErase.OfType<double>()], null, concurrentErase.Count(t => t is null));
        }
        finally
        {
            await app.StopAsync(ct);
            await app.DisposeAsync();
        }
    }

    /// <summary>Where the slowest of the requests run at once spent its time.</summary>
    private static void PrintSlowest(string what, double?[] times, List<List<string>> phases)
    {
        var slowest = Array.IndexOf(times, times.Max());
        if (slowest >= 0 && times[slowest] is not null)
        {
            Console.WriteLine($"  slowest {what} of those at once, phases first seen at: {string.Join(", ", phases[slowest])}");
        }
    }

    private static void Row(string what, List<double> samples, List<double>? raw, int errors = 0) => Console.WriteLine(samples.Count == 0 ? $"| {what} | 0 | {errors} | | | | | |" : string.Create(CultureInfo.InvariantCulture,
        $"| {what} | {samples.Count + errors} | {errors} | {P(samples, 0.5):0} | {P(samples, 0.95):0} | {samples.Max():0} | {(raw is null ? "" : P(raw, 0.5).ToString("0", CultureInfo.InvariantCulture))} | {(raw is null ? "" : (P(samples, 0.5) / Math.Max(1, P(raw, 0.5))).ToString("0.0", CultureInfo.InvariantCulture))} |"));

    private static double P(List<double> samples, double q)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }

    /// <summary>From the POST to the first status poll that shows the request completed; <paramref name="phases"/> gets "phase done/total @ ms" as each progress is first seen.</summary>
    private static async Task<double> TimeRequestAsync(HttpClient http, string path, object body, CancellationToken ct, List<string>? phases = null)
    {
        var watch = Stopwatch.StartNew();
        using var opened = await http.PostAsJsonAsync(path, body, ct);
        var view = JsonDocument.Parse(await opened.Content.ReadAsStringAsync(ct)).RootElement;
        if (!opened.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)opened.StatusCode}: {view}");
        }

        var id = view.GetProperty("id").GetString();
        phases?.Add(string.Create(CultureInfo.InvariantCulture, $"accepted @ {watch.Elapsed.TotalMilliseconds:0}"));
        var last = "";
        while (true)
        {
            var current = JsonDocument.Parse(await http.GetStringAsync($"/api/admin/dsr/{id}", ct)).RootElement;
            var status = current.GetProperty("status").GetString();
            var progress = current.TryGetProperty("progress", out var p) ? $"{p.GetProperty("phase").GetString()} {p.GetProperty("done").GetInt32()}/{p.GetProperty("total").GetInt32()}" : status!;
            if (phases is not null && progress != last)
            {
                phases.Add(string.Create(CultureInfo.InvariantCulture, $"{progress} @ {watch.Elapsed.TotalMilliseconds:0}"));
                last = progress;
            }

            if (status is "completed")
            {
                return watch.Elapsed.TotalMilliseconds;
            }

            if (status is "failed" or "refused")
            {
                throw new InvalidOperationException($"Request {id} {status}.");
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>As <see cref="TimeRequestAsync"/>; a request refused (503 under overload, 429) or failed counts as an error, with its reason printed.</summary>
    private static async Task<double?> TryTimeRequestAsync(HttpClient http, string path, object body, CancellationToken ct, List<string>? phases = null)
    {
        try
        {
            return await TimeRequestAsync(http, path, body, ct, phases);
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"  error: {e.Message}");
            return null;
        }
    }

    private static async Task<double> TimeAsync(Func<Task> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The local host's developer configuration (Durable tuning of local.settings.sample.json) and the bench's own.</summary>
    private static Dictionary<string, string?> Settings(string connection) => new(Huntaze.LocalHost.Configuration.LocalSettings.SampleDurableTuning())
    {
        ["AzureWebJobsStorage"] = connection,
        ["Storage__TablePrefix"] = "dsrbench",
        ["Auth__Issuer"] = Issuer,
        ["Auth__Audience"] = Audience,
        ["Auth__DevelopmentSigningKey"] = SigningKey,
        ["Flags__SeedEnabled__0"] = "Onboarding",
        ["RateLimits__step-writes__Limit"] = "100000000",
        ["RateLimits__reads__Limit"] = "100000000",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>Writes a subject's rows straight into the stores, and does the raw baseline work on them.</summary>
    private sealed class Seeder(IServiceProvider services)
    {
        private readonly StorageClients _storage = services.GetRequiredService<StorageClients>();
        private readonly IAuditLog _audit = services.GetRequiredService<IAuditLog>();
        private readonly IFlagStore _flags = services.GetRequiredService<IFlagStore>();
        private readonly SubjectReferences _references = services.GetRequiredService<SubjectReferences>();
        private readonly SubjectKeys _keys = services.GetRequiredService<SubjectKeys>();

        public async Task SeedAsync(string user, int rows, CancellationToken ct, int? auditEntries = null)
        {
            var subjectRef = await _references.OfAsync(user, ct);
            var progress = await _storage.GetTableAsync(HuntazeDataMap.OnboardingProgress, ct);
            var steps = rows * 60 / 100;
            var batch = new List<TableTransactionAction> { new(TableTransactionActionType.Add, new TableEntity(user, "state") { ["Revision"] = 1, ["WriteId"] = "seed" }) };
            for (var i = 0; i < steps; i++)
            {
                batch.Add(new(TableTransactionActionType.Add, new TableEntity(user, $"step:bench{i:D4}") { ["Status"] = "InProgress", ["Revision"] = 1, ["Data"] = "{\"note\":\"" + new string('x', 150) + "\"}", ["WriteId"] = "seed" }));
                if (batch.Count == 100)
                {
                    await progress.SubmitTransactionAsync(batch, ct);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await progress.SubmitTransactionAsync(batch, ct);
            }

            for (var i = 0; i < (auditEntries ?? rows * 15 / 100); i++)
            {
                await _audit.AppendAsync(new AuditRecord(user, "bench.action", "step:bench", "succeeded", "bench"), ct);
            }

            var day = DateOnly.FromDateTime(DateTime.UtcNow);
            var counters = await _storage.GetTableAsync(TableRateLimitStore.TableLogicalName(day), ct);
            for (var i = 0; i < rows / 10; i++)
            {
                await counters.AddEntityAsync(new TableEntity(RateLimiter.PartitionKey("reads", "user:" + user), $"bench{i:D12}") { ["Count"] = 1 }, ct);
            }

            for (var i = 0; i < Math.Max(1, rows / 20); i++)
            {
                var name = $"B{user.GetHashCode(StringComparison.Ordinal) & 0xffffff:x6}n{i}";
                await _flags.SaveAsync(new FeatureFlag(name, true, null, new Audience([user], [], 0, [], [])), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct);
            }

            var requests = await _storage.GetTableAsync(PrivacyStores.Requests, ct);
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < rows - steps - 1 - (rows * 15 / 100) - (rows / 10) - Math.Max(1, rows / 20) - 2; i++)
            {
                var id = subjectRef + Guid.NewGuid().ToString("N");
                await requests.AddEntityAsync(new TableEntity(subjectRef, id) { ["UserId"] = user, ["Type"] = "access", ["Status"] = "completed", ["Channel"] = "user", ["OpenedBy"] = user, ["OpenedAt"] = now, ["DueAt"] = now.AddMonths(1), ["ClosedAt"] = now }, ct);
            }

            var controls = await _storage.GetTableAsync(PrivacyStores.Controls, ct);
            foreach (var control in new[] { "objection-analytics", "objection-experimentation" })
            {
                await controls.AddEntityAsync(new TableEntity(subjectRef, control) { ["UserId"] = user, ["Since"] = now, ["SetBy"] = user }, ct);
            }
        }

        /// <summary>Every row of the subject read directly: partitions, filtered scans, the flag list.</summary>
        public async Task<int> RawReadAsync(string user, CancellationToken ct) => (await RowsAsync(user, ct)).Count + (await FlagsNamingAsync(user, ct)).Count;

        /// <summary>The same rows deleted directly (request rows too, where the erasure rewrites them): batches of 100, conditional flag writes, the key's two rows.</summary>
        public async Task RawEraseAsync(string user, CancellationToken ct)
        {
            // Audit entries are not deleted (the chain covers them): the subject's key is, as the erasure does.
            await _keys.DestroyAsync(await _references.OfAsync(user, ct), ct);
            foreach (var group in (await RowsAsync(user, ct)).Where(r => !r.Table.Name.EndsWith(TableAuditLog.TableName, StringComparison.Ordinal)).GroupBy(r => (r.Table.Name, r.Row.PartitionKey)))
            {
                foreach (var chunk in group.Chunk(100))
                {
                    await chunk[0].Table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r.Row, r.Row.ETag)), ct);
                }
            }

            foreach (var flag in await FlagsNamingAsync(user, ct))
            {
                var audience = flag.Flag!.Targeting!;
                await _flags.SaveAsync(flag.Flag.WithTargeting(audience with { Users = [.. audience.Users.Where(u => u != user)] }), flag.Tags, FlagWriteCondition.Matching(flag.ETag), ct);
            }
        }

        private async Task<List<StoredDocument>> FlagsNamingAsync(string user, CancellationToken ct) =>
            [.. (await _flags.ListAsync(ct)).Where(f => f.Flag?.Targeting?.Users.Contains(user) == true)];

        private async Task<List<(TableClient Table, TableEntity Row)>> RowsAsync(string user, CancellationToken ct)
        {
            var subjectRef = await _references.OfAsync(user, ct);
            var found = new List<(TableClient, TableEntity)>();
            async Task QueryAsync(string logical, string filter)
            {
                var table = await _storage.GetTableAsync(logical, ct);
                await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
                {
                    found.Add((table, row));
                }
            }

            await QueryAsync(HuntazeDataMap.OnboardingProgress, TableClient.CreateQueryFilter($"PartitionKey eq {user}"));
            if (await _keys.FindAsync(subjectRef, ct) is { } key)
            {
                await QueryAsync(TableAuditLog.TableName, TableClient.CreateQueryFilter($"Actor eq {SubjectCipher.Seal(key.Key, key.KeyId, user)}"));
            }

            await QueryAsync(TableRateLimitStore.TableLogicalName(DateOnly.FromDateTime(DateTime.UtcNow)), TableClient.CreateQueryFilter($"PartitionKey eq {RateLimiter.PartitionKey("reads", "user:" + user)}"));
            await QueryAsync(PrivacyStores.Requests, TableClient.CreateQueryFilter($"PartitionKey eq {subjectRef}"));
            await QueryAsync(PrivacyStores.Controls, TableClient.CreateQueryFilter($"PartitionKey eq {subjectRef}"));
            return found;
        }
    }
}
