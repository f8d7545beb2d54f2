using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Huntaze.Bench.Onboarding;
using Huntaze.LocalHost.Storage;

namespace Huntaze.Bench.Backups;

/// <summary>
/// The storage work of a restore, raw (no app): the restore benchmark's entities batch-written into new tables of
/// one Azurite as inserts and as upserts (insert-or-replace), alternating (insert, upsert, upsert, insert), with
/// the time and Azurite's CPU per 1,000 entities for each fifth of the table: what the write operation alone
/// costs as a table grows, before any app code runs.
/// </summary>
internal static class RestoreShapes
{
    public static async Task RunAsync(int entities, int parallelism)
    {
        await using var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), location: null, CancellationToken.None);
        var cpu = AzuriteCpu.Find();
        var service = new TableServiceClient(azurite.ConnectionString);
        Console.WriteLine("| run | operation | total (s) | entities/s | per fifth of the table: s (Azurite CPU ms per 1,000 entities) |");
        Console.WriteLine("|---|---|---|---|---|");
        var run = 0;
        foreach (var operation in new[] { TableTransactionActionType.Add, TableTransactionActionType.UpsertReplace, TableTransactionActionType.UpsertReplace, TableTransactionActionType.Add })
        {
            run++;
            var table = service.GetTableClient($"shape{run}");
            await table.CreateIfNotExistsAsync();
            var fifth = (entities + 4) / 5;
            var segments = new List<string>();
            var total = TimeSpan.Zero;
            for (var start = 0; start < entities; start += fifth)
            {
                var cpu0 = cpu.CpuMilliseconds();
                var elapsed = await RestoreBenchmark.InsertAsync(table, start, Math.Min(fifth, entities - start), parallelism, operation);
                total += elapsed;
                segments.Add(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} ({(cpu.CpuMilliseconds() - cpu0) * 1000 / fifth:0})"));
            }

            Console.WriteLine($"| {run} | {operation} | {total.TotalSeconds:0.0} | {entities / total.TotalSeconds:0} | {string.Join(", ", segments)} |");
        }
    }
}
