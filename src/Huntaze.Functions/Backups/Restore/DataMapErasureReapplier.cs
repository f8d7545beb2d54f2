using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Erasure;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Subjects;

namespace Huntaze.Functions.Backups.Restore;

/// <summary>
/// Re-applies the erasure ledger to restored tables, driven by the data map: in a table keyed by user id
/// (<see cref="SubjectLocator.PartitionKey"/>) a partition whose subject reference was erased after the data
/// was taken is deleted whole (its journal rows with it); in a table keyed by subject reference the
/// partition is deleted. Registered only when the privacy feature provides no <see cref="IErasureReapplier"/>
/// of its own (which also rewrites flag targeting lists); until then flag documents are not re-erased by a
/// restore, which ADR 0016 records.
/// </summary>
public sealed class DataMapErasureReapplier(DataMap map, IErasureLedger ledger, SubjectReferences subjects) : IErasureReapplier
{
    public async Task<ReapplyReport> ReapplyAsync(StorageClients storage, DateTimeOffset dataAsOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var erased = new HashSet<string>(StringComparer.Ordinal);
        var entries = 0;
        await foreach (var entry in ledger.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            entries++;
            if (entry.ErasedAt > dataAsOf)
            {
                erased.Add(entry.SubjectRef);
            }
        }

        var perStore = new Dictionary<string, int>(StringComparer.Ordinal);
        if (erased.Count == 0)
        {
            return new ReapplyReport(entries, perStore);
        }

        var hash = await subjects.HasherAsync(cancellationToken).ConfigureAwait(false);
        foreach (var store in map.Stores.Where(s => s.Kind == StoreKind.Table && s.Locator is SubjectLocator.PartitionKey or SubjectLocator.SubjectReference))
        {
            var logical = map.NameOf(store.Name);
            if (!await ExistsAsync(storage, logical, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var table = await storage.GetTableAsync(logical, cancellationToken).ConfigureAwait(false);
            var partitions = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                partitions.Add(row.PartitionKey);
            }

            var count = 0;
            foreach (var partition in partitions)
            {
                var reference = store.Locator == SubjectLocator.PartitionKey ? hash(partition) : partition;
                if (erased.Contains(reference))
                {
                    await DeletePartitionAsync(table, partition, cancellationToken).ConfigureAwait(false);
                    count++;
                }
            }

            perStore[store.Name] = count;
        }

        return new ReapplyReport(entries, perStore);
    }

    private static async Task<bool> ExistsAsync(StorageClients storage, string logical, CancellationToken cancellationToken)
    {
        var name = storage.TableName(logical);
        await foreach (var _ in storage.TableService.QueryAsync(t => t.Name == name, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }

    private static async Task DeletePartitionAsync(TableClient table, string partition, CancellationToken cancellationToken)
    {
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await table.DeleteEntityAsync(partition, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Deleted meanwhile; a row rewritten since the scan is found by the next run of this activity.
            }
        }
    }
}
