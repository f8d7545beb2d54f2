using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// Rate-limit counters: per policy, the partition is computed from the user id exactly as the limiter
/// computes it, in every day table that exists.
/// </summary>
public sealed class RateLimitHandler(StorageClients storage, DataMap map, IOptions<RateLimitOptions> options) : ISubjectDataHandler
{
    private static readonly string Family = TableRateLimitStore.TablePrefix + "{yyyyMMdd}";

    public string Key => "ratelimits";

    public IReadOnlyList<string> Stores { get; } = [Family];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(Family, (await RowsAsync(subject, cancellationToken).ConfigureAwait(false)).Count)];

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(Family, [.. (await RowsAsync(subject, cancellationToken).ConfigureAwait(false)).Select(r => new JsonObject
        {
            ["day"] = r.Table[TableRateLimitStore.TablePrefix.Length..],
            ["policy"] = r.Policy,
            ["window"] = r.Row.RowKey,
            ["count"] = r.Row.GetInt32("Count"),
        })])];

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await Parallel.ForEachAsync(await RowsAsync(subject, cancellationToken).ConfigureAwait(false), SubjectWrites.Options(cancellationToken), async (found, ct) =>
        {
            var (table, _, row) = found;
            try
            {
                await storage.TableService.GetTableClient(storage.TableName(table)).DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct).ConfigureAwait(false);
                Interlocked.Increment(ref deleted);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Gone already, or counted again this instant: the verification pass reports what is left.
            }
        }).ConfigureAwait(false);

        return [new(Family, deleted)];
    }

    private async Task<List<(string Table, string Policy, TableEntity Row)>> RowsAsync(Subject subject, CancellationToken cancellationToken)
    {
        var partitions = options.Value.Policies.Keys.ToDictionary(p => RateLimiter.PartitionKey(p, "user:" + subject.UserId), p => p, StringComparer.Ordinal);
        var rows = new List<(string, string, TableEntity)>();
        foreach (var (_, table) in (await map.ListTablesAsync(storage, cancellationToken).ConfigureAwait(false)).Where(t => t.Store.Name == Family))
        {
            var client = storage.TableService.GetTableClient(storage.TableName(table));
            foreach (var (partition, policy) in partitions)
            {
                await foreach (var row in client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    rows.Add((table, policy, row));
                }
            }
        }

        return rows;
    }
}
