using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;

namespace Huntaze.Bench.Onboarding;

/// <summary>
/// The storage work a PATCH could do, measured raw (no app) in the app's own table on the bench's Azurite, each
/// shape against the raw baseline (one point read plus one conditional update) in the same slices: what the
/// storage alone costs for each way of reading the partition and committing the step, its state, the write
/// counter and the journal row, before any app code runs. The shapes marked "before ADR 0018" are those of the
/// layout with one entity per step, kept for comparison; the app now keeps the whole guide in one entity.
/// </summary>
internal static class PatchShapes
{
    private static readonly string[] Shapes =
    [
        "baseline: point read + update (guide)",
        "before ADR 0018: partition query + batch(step, state, counter, journal)",
        "before ADR 0018: partition query + batch(step, state, counter)",
        "before ADR 0018: 3 point reads + batch(step, state, counter, journal)",
        "before ADR 0018: 2 point reads + batch(step, state, journal)",
        "before ADR 0018: 2 point reads + update(step)",
        "1 point read + batch(guide, journal): what a PATCH does (ADR 0018)",
    ];

    public static async Task RunAsync(int seconds, int[] levels)
    {
        var counter = new Storage.StorageRequestCounter();
        await using var rig = await BenchRig.StartAsync(
            services => Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.Replace(
                services, Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(sp => Storage.StorageRequestCounter.Counted(sp, counter))),
            CancellationToken.None);
        var table = rig.RawTable;
        Console.WriteLine("| concurrency | shape | p50 / p95 / p99 (ms) | ops/s | errors | p95 ratio to baseline |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var level in levels)
        {
            var measured = await LoadRunner.RunInterleavedAsync(
                level,
                TimeSpan.FromSeconds(seconds),
                [.. Shapes.Select((_, shape) => new Func<int, Func<Task<bool>>>(worker => Operation(table, shape, $"shape{shape}-{level}-{worker}")))]);
            for (var i = 0; i < Shapes.Length; i++)
            {
                var r = measured[i];
                Console.WriteLine($"| {level} | {Shapes[i]} | {r.P50:0.0} / {r.P95:0.0} / {r.P99:0.0} | {r.Throughput:0} | {r.Errors} | {r.P95 / measured[0].P95:0.00} |");
            }
        }

        // CPU per operation does not move with the machine's load the way latency does: Azurite's node process
        // and this process (the host and every client), each shape alone for the same time.
        var azurite = AzuriteCpu.Find();
        Console.WriteLine();
        Console.WriteLine("| shape (16 workers, alone) | ops | Azurite CPU ms/op | bench process CPU ms/op |");
        Console.WriteLine("|---|---|---|---|");
        var node0 = azurite.CpuMilliseconds();
        var self0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var (nodeIdle, selfIdle) = ((azurite.CpuMilliseconds() - node0) / seconds, (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - self0) / seconds);
        Console.WriteLine($"| idle (host timers, Durable polling): CPU ms per second, subtracted below | | {nodeIdle:0.0} | {selfIdle:0.0} |");
        var shapes = Shapes.Select((name, shape) => (name, (Func<int, Func<Task<bool>>>)(w => Operation(table, shape, $"cpu{shape}-{w}")))).ToList();
        List<(string, Func<int, Func<Task<bool>>>)> all =
        [
            shapes[0],
            ("API PATCH (the app)", w => rig.ApiOperation("PATCH /api/onboarding/steps/{id}", 99, w)),
            ("API GET (the app)", w => rig.ApiOperation("GET /api/onboarding", 99, w)),
            .. shapes.Skip(1),
            shapes[0],
        ];
        foreach (var (name, operationFor) in all)
        {
            // The CPU counted from the end of the runner's warm-up: the warm-up's JIT and its operations are not
            // the measured operations' (session 5 found the API rows charged with it, 6.98 against 2.3 ms of Azurite CPU).
            var watch = new System.Diagnostics.Stopwatch();
            var r = (await LoadRunner.RunInterleavedAsync(16, TimeSpan.FromSeconds(seconds), () =>
            {
                node0 = azurite.CpuMilliseconds();
                self0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
                watch.Restart();
            }, operationFor))[0];
            var elapsed = watch.Elapsed.TotalSeconds;
            var ops = r.Throughput * seconds;
            var node = azurite.CpuMilliseconds() - node0 - (nodeIdle * elapsed);
            var self = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - self0 - (selfIdle * elapsed);
            Console.WriteLine($"| {name} | {ops:0} | {node / ops:0.00} | {self / ops:0.00} |");
        }

        // What the app sent to storage per PATCH (warm-up excluded): the shape the table above prices.
        var patches = (await LoadRunner.RunInterleavedAsync(16, TimeSpan.FromSeconds(seconds), counter.ByKind.Clear, w => rig.ApiOperation("PATCH /api/onboarding/steps/{id}", 97, w)))[0];
        var sent = counter.ByKind.ToArray();
        Console.WriteLine();
        Console.WriteLine("| storage request of the app | per API PATCH |");
        Console.WriteLine("|---|---|");
        foreach (var (kind, count) in sent.OrderByDescending(p => p.Value))
        {
            Console.WriteLine($"| {kind} | {count / (patches.Throughput * seconds):0.000} |");
        }
    }

    private static Func<Task<bool>> Operation(TableClient table, int shape, string user)
    {
        table.UpsertEntity(BenchRig.RawGuide(user));
        table.UpsertEntity(new TableEntity(user, "step:" + BenchRig.Step) { ["Status"] = "InProgress", ["Revision"] = 0, ["Data"] = "{\"n\":0}" });
        table.UpsertEntity(new TableEntity(user, "state") { ["Revision"] = 0 });
        table.UpsertEntity(new TableEntity(user, "ratelimit:step-writes") { ["Window"] = 0L, ["Count"] = 0 });
        foreach (var other in new[] { "profile", "payout", "links" })
        {
            table.UpsertEntity(new TableEntity(user, "step:" + other) { ["Status"] = "Completed", ["Revision"] = 1 });
        }

        var n = 0;
        return shape switch
        {
            0 => async () =>
            {
                var entity = (await table.GetEntityAsync<TableEntity>(user, Huntaze.Functions.Onboarding.Progress.ProgressEntities.GuideKey(user))).Value;
                entity["Revision"] = (entity.GetInt32("Revision") ?? 0) + 1;
                return !(await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace)).IsError;
            },
            1 or 2 => async () =>
            {
                var rows = new Dictionary<string, TableEntity>();
                await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {user} and RowKey lt {JournalEntity.DataRowsBelow}")))
                {
                    rows[e.RowKey] = e;
                }

                return await CommitAsync(table, user, rows["step:" + BenchRig.Step], rows["state"], rows["ratelimit:step-writes"], journal: shape == 1, ++n);
            },
            3 => async () =>
            {
                var step = table.GetEntityAsync<TableEntity>(user, "step:" + BenchRig.Step);
                var state = table.GetEntityAsync<TableEntity>(user, "state");
                var counter = table.GetEntityAsync<TableEntity>(user, "ratelimit:step-writes");
                return await CommitAsync(table, user, (await step).Value, (await state).Value, (await counter).Value, journal: true, ++n);
            },
            4 => async () =>
            {
                var step = table.GetEntityAsync<TableEntity>(user, "step:" + BenchRig.Step);
                var state = table.GetEntityAsync<TableEntity>(user, "state");
                return await CommitAsync(table, user, (await step).Value, (await state).Value, null, journal: true, ++n);
            },
            5 => async () =>
            {
                var step = table.GetEntityAsync<TableEntity>(user, "step:" + BenchRig.Step);
                var state = table.GetEntityAsync<TableEntity>(user, "state");
                var entity = (await step).Value;
                _ = await state;
                entity["Revision"] = (entity.GetInt32("Revision") ?? 0) + 1;
                return !(await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace)).IsError;
            },
            _ => async () =>
            {
                var guide = (await table.GetEntityAsync<TableEntity>(user, Huntaze.Functions.Onboarding.Progress.ProgressEntities.GuideKey(user))).Value;
                guide["Revision"] = (guide.GetInt32("Revision") ?? 0) + 1;
                var now = DateTimeOffset.UtcNow;
                var journalRow = new TableEntity(user, JournalEntity.InPartitionRowKey(now, Guid.NewGuid().ToString("N")))
                {
                    [JournalEntity.TableProperty] = "progress",
                    [JournalEntity.TimeProperty] = now,
                    [JournalEntity.ChangesProperty] = System.Text.Json.JsonSerializer.Serialize(guide.Where(p => p.Key is not ("odata.etag" or "Timestamp")).ToDictionary()),
                };
                try
                {
                    return !(await table.SubmitTransactionAsync([new(TableTransactionActionType.UpdateReplace, guide, guide.ETag), new(TableTransactionActionType.Add, journalRow)])).GetRawResponse().IsError;
                }
                catch (RequestFailedException)
                {
                    return false;
                }
            },
        };
    }

    private static async Task<bool> CommitAsync(TableClient table, string user, TableEntity step, TableEntity? state, TableEntity? counter, bool journal, int n)
    {
        step["Revision"] = (step.GetInt32("Revision") ?? 0) + 1;
        step["Data"] = "{\"n\":" + n.ToString(CultureInfo.InvariantCulture) + "}";
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, step, step.ETag) };
        if (state is not null)
        {
            state["Revision"] = (state.GetInt32("Revision") ?? 0) + 1;
            actions.Add(new(TableTransactionActionType.UpdateReplace, state, state.ETag));
        }
        if (counter is not null)
        {
            counter["Count"] = (counter.GetInt32("Count") ?? 0) + 1;
            actions.Add(new(TableTransactionActionType.UpdateReplace, counter, counter.ETag));
        }

        if (journal)
        {
            var now = DateTimeOffset.UtcNow;
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(user, JournalEntity.InPartitionRowKey(now, Guid.NewGuid().ToString("N")))
            {
                [JournalEntity.TableProperty] = "progress",
                [JournalEntity.TimeProperty] = now,
                [JournalEntity.ChangesProperty] = $"[{{\"RowKey\":\"step:{BenchRig.Step}\",\"Operation\":\"put\",\"Properties\":{{\"Status\":\"InProgress\",\"Revision\":{n},\"Data\":\"{{\\\"n\\\":{n}}}\"}}}},{{\"RowKey\":\"state\",\"Operation\":\"put\",\"Properties\":{{\"Revision\":{n}}}}}]",
            }));
        }

        try
        {
            var response = await table.SubmitTransactionAsync(actions);
            return !response.GetRawResponse().IsError;
        }
        catch (RequestFailedException)
        {
            return false;
        }
    }
}

/// <summary>The CPU time of the bench's Azurite (the node child of this process), from /proc.</summary>
internal sealed class AzuriteCpu(int pid)
{
    public static AzuriteCpu Find()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var stat = Path.Combine(dir, "stat");
            var cmdline = Path.Combine(dir, "cmdline");
            try
            {
                var fields = File.ReadAllText(stat).Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[1] == self && File.ReadAllText(cmdline).Contains("azurite", StringComparison.Ordinal))
                {
                    return new AzuriteCpu(int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        throw new InvalidOperationException("No Azurite child process found.");
    }

    /// <summary>utime + stime, in milliseconds (clock ticks of 10 ms).</summary>
    public double CpuMilliseconds()
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }
}
