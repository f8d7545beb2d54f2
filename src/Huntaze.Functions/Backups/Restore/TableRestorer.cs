using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;

namespace Huntaze.Functions.Backups.Restore;

/// <summary>
/// Writes one backup file into one table as entity-group transactions (one partition, at most 100
/// entities each): one loop reads, decodes and groups the file's entities into transactions, and
/// <c>parallelism</c> writers send them, so decoding never waits for a write and the writers never wait
/// for decoding (at most <c>parallelism</c> transactions wait in between). Idempotent, so an activity that
/// runs again after a host stopped writes the same rows again: <see cref="RestoreModes.Replace"/> inserts
/// until a transaction meets rows that exist, then replaces (that transaction and every later one), and
/// when <c>removeOthers</c> deletes what the backup does not hold; <see cref="RestoreModes.Additive"/>
/// inserts and keeps what is there.
/// </summary>
/// <remarks>
/// Why insert first: into an empty table (a side table, a wiped or lost live table, the drill) an insert is
/// all a row needs, and an upsert costs the store a second lookup of the key before its insert (Azurite's
/// insert-or-replace looks the entity up, then inserts, which looks it up again: 1.6× the insert's time at
/// 100,000 rows, docs/performance.md). A table that holds the rows (a live restore over live data, or this
/// activity run again) costs one refused transaction per writer, then upserts as before. A refused
/// entity-group transaction writes nothing, so it is simply sent again as upserts.
/// </remarks>
public sealed class TableRestorer(TableClient target, string mode, bool removeOthers, int parallelism, Func<long, Task> onProgress)
{
    private const int ProgressEvery = 2000;
    private long _kept;

    // Set once a transaction of inserts met an existing row: from then on every writer replaces.
    private volatile bool _replace;

    public async Task<RestoreTableResult> RestoreAsync(string table, IAsyncEnumerable<TableEntity> entities, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entities);
        var keys = removeOthers ? new HashSet<(string, string)>() : null;
        var transactions = Channel.CreateBounded<TableEntity[]>(new BoundedChannelOptions(parallelism) { SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writers = Enumerable.Range(0, dryRun ? 0 : parallelism).Select(_ => WriteAllAsync(transactions.Reader, stop)).ToList();
        long rows = 0;
        ExceptionDispatchInfo? readFailure = null;
        try
        {
            rows = await ReadAsync(entities, keys, dryRun ? null : transactions.Writer, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            readFailure = ExceptionDispatchInfo.Capture(e);
            await stop.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            transactions.Writer.TryComplete();
        }

        long written;
        try
        {
            // A writer's failure stops the reader (and the other writers): the writer's exception is the one that says why.
            written = (await Task.WhenAll(writers).ConfigureAwait(false)).Sum();
        }
        catch (OperationCanceledException) when (readFailure is not null)
        {
            readFailure.Throw();
            throw;
        }

        readFailure?.Throw();
        var deleted = keys is not null ? await DeleteOthersAsync(keys, dryRun, cancellationToken).ConfigureAwait(false) : 0;
        await onProgress(rows).ConfigureAwait(false);
        return new RestoreTableResult(table, rows, dryRun ? 0 : written, deleted, _kept);
    }

    /// <summary>Reads the file into transactions (one partition, at most 100 rows); returns the rows read. Without a channel (dry run) it only counts.</summary>
    private async Task<long> ReadAsync(IAsyncEnumerable<TableEntity> entities, HashSet<(string, string)>? keys, ChannelWriter<TableEntity[]>? transactions, CancellationToken cancellationToken)
    {
        long rows = 0, reported = 0;
        var batch = new List<TableEntity>(TableConstants.MaxBatch);
        await foreach (var entity in entities.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            keys?.Add((entity.PartitionKey, entity.RowKey));
            if (transactions is null)
            {
                continue;
            }

            if (batch.Count == TableConstants.MaxBatch || (batch.Count > 0 && batch[0].PartitionKey != entity.PartitionKey))
            {
                await transactions.WriteAsync([.. batch], cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }

            batch.Add(entity);
            if (rows - reported >= ProgressEvery)
            {
                reported = rows;
                await onProgress(rows).ConfigureAwait(false);
            }
        }

        if (batch.Count > 0 && transactions is not null)
        {
            await transactions.WriteAsync([.. batch], cancellationToken).ConfigureAwait(false);
        }

        return rows;
    }

    /// <summary>One writer: sends transactions until the reader is done; on a failure, stops the others.</summary>
    private async Task<long> WriteAllAsync(ChannelReader<TableEntity[]> transactions, CancellationTokenSource stop)
    {
        long written = 0;
        try
        {
            await foreach (var entities in transactions.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                written += await WriteAsync(entities, stop.Token).ConfigureAwait(false);
            }

            return written;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<long> WriteAsync(TableEntity[] entities, CancellationToken cancellationToken)
    {
        if (mode != RestoreModes.Additive)
        {
            if (!_replace)
            {
                try
                {
                    await target.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken).ConfigureAwait(false);
                    return entities.Length;
                }
                catch (TableTransactionFailedException e) when (e.Status == 409)
                {
                    // The table holds rows already (live data, or an earlier run of this activity): nothing of this transaction was written.
                    _replace = true;
                }
            }

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
