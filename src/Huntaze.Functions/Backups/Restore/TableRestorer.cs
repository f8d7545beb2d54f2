using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;

namespace Huntaze.Functions.Backups.Restore;

/// <summary>
/// Writes one backup file into one table as entity-group transactions (one partition, at most 100
/// entities each), several in flight at once. Idempotent, so an activity that runs again after a host
/// stopped writes the same rows again: <see cref="RestoreModes.Replace"/> upserts then deletes what the backup
/// does not hold; <see cref="RestoreModes.Additive"/> inserts and keeps what is there.
/// </summary>
public sealed class TableRestorer(TableClient target, string mode, int parallelism, Func<long, Task> onProgress)
{
    private const int ProgressEvery = 2000;
    private readonly List<Task<long>> _inFlight = [];
    private long _kept;

    public async Task<RestoreTableResult> RestoreAsync(string table, IAsyncEnumerable<TableEntity> entities, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entities);
        var keys = new HashSet<(string, string)>();
        long rows = 0, written = 0, reported = 0;
        var batch = new List<TableEntity>(TableConstants.MaxBatch);
        await foreach (var entity in entities.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            if (mode == RestoreModes.Replace)
            {
                keys.Add((entity.PartitionKey, entity.RowKey));
            }

            if (dryRun)
            {
                continue;
            }

            if (batch.Count == TableConstants.MaxBatch || (batch.Count > 0 && batch[0].PartitionKey != entity.PartitionKey))
            {
                written += await SubmitAsync([.. batch], cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }

            batch.Add(entity);
            if (rows - reported >= ProgressEvery)
            {
                reported = rows;
                await onProgress(rows).ConfigureAwait(false);
            }
        }

        if (batch.Count > 0)
        {
            written += await SubmitAsync([.. batch], cancellationToken).ConfigureAwait(false);
        }

        written += (await Task.WhenAll(_inFlight).ConfigureAwait(false)).Sum();
        _inFlight.Clear();
        var deleted = mode == RestoreModes.Replace ? await DeleteOthersAsync(keys, dryRun, cancellationToken).ConfigureAwait(false) : 0;
        await onProgress(rows).ConfigureAwait(false);
        return new RestoreTableResult(table, rows, dryRun ? 0 : written, deleted, _kept);
    }

    /// <summary>Starts a transaction; when as many are in flight as allowed, waits for one and returns what it wrote.</summary>
    private async Task<long> SubmitAsync(TableEntity[] entities, CancellationToken cancellationToken)
    {
        _inFlight.Add(WriteAsync(entities, cancellationToken));
        if (_inFlight.Count < parallelism)
        {
            return 0;
        }

        var done = await Task.WhenAny(_inFlight).ConfigureAwait(false);
        _inFlight.Remove(done);
        return await done.ConfigureAwait(false);
    }

    private async Task<long> WriteAsync(TableEntity[] entities, CancellationToken cancellationToken)
    {
        if (mode != RestoreModes.Additive)
        {
            // The restore is the writer of record for these rows: unconditional upserts (ADR 0016).
            await target.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken).ConfigureAwait(false);
            return entities.Length;
        }

        try
        {
            await target.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken).ConfigureAwait(false);
            return entities.Length;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            // Some rows are there already: add the others one by one, keep what exists.
            long added = 0;
            foreach (var entity in entities)
            {
                try
                {
                    await target.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                    added++;
                }
                catch (RequestFailedException exists) when (exists.Status == 409)
                {
                    Interlocked.Increment(ref _kept);
                }
            }

            return added;
        }
    }

    /// <summary>Deletes the target's data rows the backup does not hold (journal rows stay: they are the journal).</summary>
    private async Task<long> DeleteOthersAsync(HashSet<(string, string)> keys, bool dryRun, CancellationToken cancellationToken)
    {
        long deleted = 0;
        var batch = new List<TableTransactionAction>();
        await foreach (var row in target.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (JournalEntity.IsJournalRow(row.RowKey) || keys.Contains((row.PartitionKey, row.RowKey)))
            {
                continue;
            }

            deleted++;
            if (dryRun)
            {
                continue;
            }

            if (batch.Count == TableConstants.MaxBatch || (batch.Count > 0 && batch[0].Entity.PartitionKey != row.PartitionKey))
            {
                await DeleteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }

            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, row.ETag));
        }

        if (batch.Count > 0)
        {
            await DeleteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    private async Task DeleteBatchAsync(List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        try
        {
            await target.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
        {
            foreach (var action in batch)
            {
                try
                {
                    await target.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, action.ETag, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException gone) when (gone.Status is 404 or 412)
                {
                    // Deleted or rewritten since the scan: not ours to remove.
                }
            }
        }
    }
}

internal static class TableConstants
{
    public const int MaxBatch = 100;
}
