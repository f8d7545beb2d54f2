using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// Counters in one table per UTC day (<c>ratelimits{yyyyMMdd}</c>, the day the window starts). Table
/// Storage has no TTL, so expiry is a whole-table delete per day: one transaction however many counters
/// the day holds (see <see cref="RateLimitCleanupFunction"/>).
/// </summary>
public sealed class TableRateLimitStore(StorageClients storage) : IRateLimitStore
{
    public const string TablePrefix = "ratelimits";
    private const string CountProperty = "Count";

    public async Task<CounterSnapshot?> GetAsync(CounterKey key, CancellationToken cancellationToken)
    {
        var table = await TableAsync(key.Day, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(key.Partition, key.Row, [CountProperty], cancellationToken).ConfigureAwait(false);
        return response.HasValue && response.Value is { } entity
            ? new CounterSnapshot(entity.GetInt32(CountProperty) ?? 0, entity.ETag.ToString())
            : null;
    }

    public async Task<string?> TryCreateAsync(CounterKey key, int count, CancellationToken cancellationToken)
    {
        var table = await TableAsync(key.Day, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await table.AddEntityAsync(Entity(key, count), cancellationToken).ConfigureAwait(false);
            return response.Headers.ETag?.ToString() ?? "";
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    public async Task<string?> TryReplaceAsync(CounterKey key, int count, string etag, CancellationToken cancellationToken)
    {
        var table = await TableAsync(key.Day, cancellationToken).ConfigureAwait(false);
        try
        {
            // A 412 after an SDK retry may hide a committed first attempt (azure-sdk-for-net #39146): the
            // caller re-reads and counts again, which can only over-count, never over-admit.
            var response = await table.UpdateEntityAsync(Entity(key, count), new ETag(etag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return response.Headers.ETag?.ToString() ?? "";
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task<int> DeleteDaysBeforeAsync(DateOnly before, CancellationToken cancellationToken)
    {
        var prefix = storage.TableName(TablePrefix);
        var oldest = storage.TableName(TableLogicalName(before));
        var deleted = 0;
        var filter = TableClient.CreateQueryFilter($"TableName ge {prefix} and TableName lt {oldest}");
        await foreach (var item in storage.TableService.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (item.Name.Length == oldest.Length)
            {
                await storage.TableService.DeleteTableAsync(item.Name, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
        }

        return deleted;
    }

    public static string TableLogicalName(DateOnly day) => TablePrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private Task<TableClient> TableAsync(DateOnly day, CancellationToken cancellationToken) =>
        storage.GetTableAsync(TableLogicalName(day), cancellationToken);

    private static TableEntity Entity(CounterKey key, int count) => new(key.Partition, key.Row) { [CountProperty] = count };
}
