using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Bench.Onboarding;
using Huntaze.Cli.Tokens;
using Huntaze.LocalHost;
using Huntaze.LocalHost.Storage;

namespace Huntaze.Bench.Backups;

/// <summary>
/// Restores N entities (default 100,000) from a backup through the admin API into side tables, and compares
/// the throughput with raw entity-group batch inserts of the same entities into the same Azurite in the same
/// run (before and after the restore, same parallelism). Goal: the restore at ≥ 80 % of the raw throughput.
/// </summary>
internal static class RestoreBenchmark
{
    private const string Table = "OnboardingProgress";

    public static async Task RunAsync(int entities, int parallelism)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), location: null, CancellationToken.None);
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage__TablePrefix"] = "bench",
            ["Auth__Issuer"] = BenchRig.Issuer,
            ["Auth__Audience"] = BenchRig.Audience,
            ["Auth__DevelopmentSigningKey"] = key,
            ["Backups__RestoreParallelism"] = parallelism.ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            // The status polls are admin reads; a long restore must not run out of the per-minute read budget.
            ["RateLimits__reads__Limit"] = "100000000",
        };
        await using var app = LocalHostApp.Build(LoopbackServer.Arguments, new LocalHostOptions { Settings = BenchTimers.Quiet(settings), UseLocalSettingsFile = false, PrintFunctionTable = false });
        await app.StartAsync();
        var address = LoopbackServer.AddressOf(app);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            DevTokenFactory.Create(new DevTokenRequest("bench-ops", ["admin"], null, BenchRig.Issuer, BenchRig.Audience, key, TimeSpan.FromHours(4)), DateTimeOffset.UtcNow));
        var service = new TableServiceClient(azurite.ConnectionString);
        // CPU per 1,000 entities (Azurite's node process, and this process: host and clients) moves much less with
        // the machine's load than the elapsed time does: it says what each column costs, whatever else runs. Azurite's
        // idle cost (the host's timers and Durable's polling, per second) is measured first and taken out, so a column
        // that ran longer because the machine was busy is not charged for the polling of its extra seconds (this
        // process's own idle second is not: right after the start it is mostly the JIT).
        var cpu = await CpuMeter.StartAsync(AzuriteCpu.Find(), entities, TimeSpan.FromSeconds(10));
        Console.WriteLine($"Azurite's idle CPU: {cpu.IdleAzurite:0} ms per second");

        var (rawBefore, rawBeforeCpu) = await cpu.MeasureAsync(() => RawInsertAsync(service, "bench" + Table, entities, parallelism));
        Console.WriteLine($"raw batch inserts (seed): {entities} entities in {rawBefore.TotalSeconds:0.0} s = {entities / rawBefore.TotalSeconds:0} entities/s; CPU {rawBeforeCpu}");

        var backup = Stopwatch.StartNew();
        var run = await WaitAsync(http, await StartAsync(http, "/api/admin/backups/run", null));
        Console.WriteLine($"backup + verification: {backup.Elapsed.TotalSeconds:0.0} s ({run.GetProperty("result").GetProperty("rows")} rows)");

        var status = default(JsonElement);
        var (restoreTime, restoreCpu) = await cpu.MeasureAsync(async () =>
        {
            var restore = Stopwatch.StartNew();
            status = await WaitAsync(http, await StartAsync(http, "/api/admin/backups/restore", new { backup = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), tables = new[] { Table }, target = "side" }));
            return restore.Elapsed;
        });
        var result = status.GetProperty("result");
        Console.WriteLine($"restore (verify, write, re-apply erasures; side tables): {result.GetProperty("rowsWritten")} rows in {restoreTime.TotalSeconds:0.0} s = {entities / restoreTime.TotalSeconds:0} entities/s, outcome {result.GetProperty("outcome")}; CPU {restoreCpu}");

        var (rawAfter, rawAfterCpu) = await cpu.MeasureAsync(() => RawInsertAsync(service, "benchrawafter", entities, parallelism));
        Console.WriteLine($"raw batch inserts (after): {entities} entities in {rawAfter.TotalSeconds:0.0} s = {entities / rawAfter.TotalSeconds:0} entities/s; CPU {rawAfterCpu}");
        // The weekly drill, fired as its timer would be: restore the latest backup (every table) into side tables,
        // compare with the manifest, drop them. Its own recorded duration, beside the wall clock seen from here.
        var drillWatch = Stopwatch.StartNew();
        using (var fire = await http.PostAsync("/admin/functions/BackupDrill", null))
        {
            fire.EnsureSuccessStatusCode();
        }

        JsonElement drill = default;
        while (drill.ValueKind != JsonValueKind.Object)
        {
            // A 503 while the drill keeps Azurite busy (the listing reads the catalog) is a "not yet".
            using var list = await http.GetAsync("/api/admin/backups");
            if (list.IsSuccessStatusCode && (await list.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("lastDrill", out var last))
            {
                drill = last;
            }

            await Task.Delay(500);
        }

        Console.WriteLine($"drill (restore latest backup to side tables, compare, drop): recorded {drill.GetProperty("durationSeconds").GetDouble():0.0} s for {drill.GetProperty("rows")} rows, passed {drill.GetProperty("passed")}; seen from the client {drillWatch.Elapsed.TotalSeconds:0.0} s");
        var raw = (rawBefore + rawAfter) / 2;
        Console.WriteLine();
        var rawCpu = (rawBeforeCpu.Azurite + rawAfterCpu.Azurite) / 2;
        Console.WriteLine("| entities | parallelism | raw inserts (mean of before/after) | restore | restore / raw throughput | Azurite CPU per 1,000 entities, raw (mean) / restore |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| {entities} | {parallelism} | {raw.TotalSeconds:0.0} s ({entities / raw.TotalSeconds:0}/s) | {restoreTime.TotalSeconds:0.0} s ({entities / restoreTime.TotalSeconds:0}/s) | {raw / restoreTime:P0} | {rawCpu:0} / {restoreCpu.Azurite:0} ms ({rawCpu / restoreCpu.Azurite:P0}) |");
        await app.StopAsync();
    }

    /// <summary>The entities a restore writes, inserted directly: 100 per partition, one transaction each, <paramref name="parallelism"/> in flight.</summary>
    private static async Task<TimeSpan> RawInsertAsync(TableServiceClient service, string tableName, int entities, int parallelism)
    {
        var table = service.GetTableClient(tableName);
        await table.CreateIfNotExistsAsync();
        return await InsertAsync(table, 0, entities, parallelism, TableTransactionActionType.Add);
    }

    /// <summary>
    /// Writes entities <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1 of the benchmark's
    /// set (entity i is row <c>step:s{i % 100}</c> of partition <c>user-{i / 100}</c>), one transaction per partition.
    /// </summary>
    public static async Task<TimeSpan> InsertAsync(TableClient table, int first, int count, int parallelism, TableTransactionActionType operation)
    {
        var at = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var end = first + count;
        await Parallel.ForEachAsync(Enumerable.Range(first / 100, ((end + 99) / 100) - (first / 100)), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (p, ct) =>
        {
            var batch = Enumerable.Range(Math.Max(first, p * 100), Math.Min(end, (p + 1) * 100) - Math.Max(first, p * 100)).Select(i => new TableEntity($"user-{p:D6}", $"step:s{i % 100:D3}")
            {
                ["Status"] = "completed",
                ["Revision"] = i % 100,
                ["StepVersion"] = 1,
                ["Data"] = "{\"company\":\"Beispiel GmbH\",\"street\":\"Hauptstraße 1\",\"city\":\"Berlin\"}",
                ["StartedAt"] = at,
                ["CompletedAt"] = at,
                ["UpdatedAt"] = at,
                ["WriteId"] = Guid.NewGuid().ToString("N"),
            });
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(operation, e)), ct);
        });
        return watch.Elapsed;
    }

    /// <summary>CPU of Azurite (less its idle cost over the column's duration) and of this process over one column, per 1,000 entities.</summary>
    private sealed class CpuMeter(AzuriteCpu azurite, int entities, double idleAzurite)
    {
        /// <summary>Azurite's CPU per second while the host idles (ms).</summary>
        public double IdleAzurite => idleAzurite;

        public static async Task<CpuMeter> StartAsync(AzuriteCpu azurite, int entities, TimeSpan idle)
        {
            var node = azurite.CpuMilliseconds();
            await Task.Delay(idle);
            return new CpuMeter(azurite, entities, (azurite.CpuMilliseconds() - node) / idle.TotalSeconds);
        }

        public async Task<(TimeSpan Elapsed, CpuUse Cpu)> MeasureAsync(Func<Task<TimeSpan>> column)
        {
            var (node, self) = (azurite.CpuMilliseconds(), SelfMilliseconds());
            var elapsed = await column();
            var nodeUsed = azurite.CpuMilliseconds() - node - (idleAzurite * elapsed.TotalSeconds);
            return (elapsed, new CpuUse(nodeUsed * 1000 / entities, (SelfMilliseconds() - self) * 1000 / entities));
        }

        private static double SelfMilliseconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
    }

    private sealed record CpuUse(double Azurite, double Bench)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"per 1,000 entities: Azurite {Azurite:0} ms (idle cost taken out), bench process {Bench:0} ms");
    }

    private static async Task<string> StartAsync(HttpClient http, string path, object? body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text).RootElement.GetProperty("statusUrl").GetString()!
            : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    /// <summary>Polls the status URL; prints each phase the first time it shows (seconds since the start) and the rows done then.</summary>
    private static async Task<JsonElement> WaitAsync(HttpClient http, string url)
    {
        var watch = Stopwatch.StartNew();
        var seen = "";
        while (true)
        {
            var status = await http.GetFromJsonAsync<JsonElement>(url);
            var state = status.GetProperty("state").GetString();
            var phase = status.TryGetProperty("progress", out var progress) && progress.ValueKind == JsonValueKind.Object
                ? $"{progress.GetProperty("phase").GetString()} rows {progress.GetProperty("rowsDone")}"
                : status.TryGetProperty("phase", out var runPhase) ? runPhase.ToString() : state;
            if (phase != seen)
            {
                Console.WriteLine($"  {watch.Elapsed.TotalSeconds,6:0.0} s  {phase}");
                seen = phase;
            }

            if (state is "completed" or "failed" or "terminated")
            {
                return status;
            }

            // As often as the CLI's progress bar polls (each poll reads the same Azurite the restore writes to).
            await Task.Delay(500);
        }
    }
}
