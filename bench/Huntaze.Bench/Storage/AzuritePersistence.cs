using System.Diagnostics;
using Azure.Data.Tables;
using Huntaze.LocalHost.Storage;

namespace Huntaze.Bench.Storage;

/// <summary>
/// What Azurite's disk persistence keeps when it is stopped, measured from outside: one table write every
/// 100 ms for 12 s (each acknowledged), then a kill -9 or a graceful stop (SIGINT) right after the last
/// acknowledgement, then a restart over the same folder and a count of what came back.
/// </summary>
internal static class AzuritePersistence
{
    public static async Task RunAsync(int rounds)
    {
        Console.WriteLine("| stop | round | writes acknowledged | kept | lost | oldest lost write acknowledged before the stop (ms) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var graceful in new[] { false, true })
        {
            for (var round = 1; round <= rounds; round++)
            {
                var location = Directory.CreateTempSubdirectory("huntaze-persist-").FullName;
                try
                {
                    var ports = AzuritePorts.Free();
                    var azurite = await AzuriteProcess.StartAsync(ports, location, CancellationToken.None);
                    var table = new TableClient(azurite.ConnectionString, "Persist");
                    await table.CreateIfNotExistsAsync();
                    var acknowledged = new List<long>();
                    var clock = Stopwatch.StartNew();
                    for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(12); i++)
                    {
                        await table.AddEntityAsync(new TableEntity("p", $"{i:D5}"));
                        acknowledged.Add(clock.ElapsedMilliseconds);
                        await Task.Delay(100);
                    }

                    var stoppedAt = clock.ElapsedMilliseconds;
                    if (graceful)
                    {
                        await azurite.DisposeAsync();
                    }
                    else
                    {
                        await azurite.KillAsync();
                    }

                    await using var again = await AzuriteProcess.StartAsync(ports, location, CancellationToken.None);
                    var kept = new HashSet<int>();
                    try
                    {
                        await foreach (var entity in new TableClient(again.ConnectionString, "Persist").QueryAsync<TableEntity>())
                        {
                            kept.Add(int.Parse(entity.RowKey, System.Globalization.CultureInfo.InvariantCulture));
                        }
                    }
                    catch (Azure.RequestFailedException e) when (e.Status == 404)
                    {
                        // The table itself was lost.
                    }

                    var lost = Enumerable.Range(0, acknowledged.Count).Where(i => !kept.Contains(i)).ToList();
                    var oldest = lost.Count == 0 ? "-" : (stoppedAt - acknowledged[lost[0]]).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    Console.WriteLine($"| {(graceful ? "graceful (SIGINT)" : "kill -9")} | {round} | {acknowledged.Count} | {kept.Count} | {lost.Count} | {oldest} |");
                }
                finally
                {
                    Directory.Delete(location, recursive: true);
                }
            }
        }
    }
}
