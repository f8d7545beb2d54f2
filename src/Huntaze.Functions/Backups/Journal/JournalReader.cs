using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Backups.Journal;

/// <summary>One journaled change of one entity, in the order the writes were made.</summary>
public sealed record KeyedChange(string PartitionKey, DateTimeOffset Time, string Order, JournalChange Change);

/// <summary>Reads the journal of a table over a time window, and prunes what is older than the journal's lifetime.</summary>
public static class JournalReader
{
    /// <summary>Every change to <paramref name="table"/> made in [<paramref name="from"/>, <paramref name="to"/>], oldest first.</summary>
    public static async Task<IReadOnlyList<KeyedChange>> ReadAsync(StorageClients storage, string table, JournalMode mode, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var changes = new List<KeyedChange>();
        switch (mode)
        {
            case JournalMode.InTransaction:
            {
                var source = await storage.GetTableAsync(table, cancellationToken).ConfigureAwait(false);
                var filter = TableClient.CreateQueryFilter($"RowKey ge {JournalEntity.InPartitionFloor(from)} and RowKey lt {JournalEntity.InPartitionFloor(to.AddTicks(1))}");
                await foreach (var row in source.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    var record = WriteJournal.Read(row);
                    changes.AddRange(record.Changes.Select(c => new KeyedChange(row.PartitionKey, record.Time, row.RowKey[JournalEntity.RowPrefix.Length..], c)));
                }

                break;
            }

            case JournalMode.JournalTable:
            {
                var journal = await storage.GetTableAsync(BackupStores.Journal, cancellationToken).ConfigureAwait(false);
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {table} and RowKey ge {JournalEntity.Ticks(from)} and RowKey lt {JournalEntity.Ticks(to.AddTicks(1))}");
                await foreach (var row in journal.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    var record = WriteJournal.Read(row);
                    foreach (var change in record.Changes)
                    {
                        var split = change.RowKey.IndexOf('\n', StringComparison.Ordinal);
                        changes.Add(new KeyedChange(change.RowKey[..split], record.Time, row.RowKey, change with { RowKey = change.RowKey[(split + 1)..] }));
                    }
                }

                break;
            }

            default:
                break;
        }

        return [.. changes.OrderBy(c => c.Order, StringComparer.Ordinal)];
    }

    /// <summary>Deletes journal rows written before <paramref name="before"/> from a journaled table or from <c>backupjournal</c>.</summary>
    public static async Task<int> PruneAsync(StorageClients storage, string table, JournalMode mode, DateTimeOffset before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var (client, filter) = mode switch
        {
            JournalMode.InTransaction => (
                await storage.GetTableAsync(table, cancellationToken).ConfigureAwait(false),
                TableClient.CreateQueryFilter($"RowKey ge {JournalEntity.RowPrefix} and RowKey lt {JournalEntity.InPartitionFloor(before)}")),
            JournalMode.JournalTable => (
                await storage.GetTableAsync(BackupStores.Journal, cancellationToken).ConfigureAwait(false),
                TableClient.CreateQueryFilter($"PartitionKey eq {table} and RowKey lt {JournalEntity.Ticks(before)}")),
            _ => (null, null),
        };
        if (client is null)
        {
            return 0;
        }

        var deleted = 0;
        await foreach (var row in client.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                // Journal rows are never updated: the ETag read is the one to delete.
                await client.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Deleted meanwhile (the partition was erased, or a concurrent prune).
            }
        }

        return deleted;
    }
}
