using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// Progress in Table Storage: partition = user id, one entity per step plus one state entity. Writes go
/// through <see cref="ConditionalTableWrites"/>: each states the ETag it read, all of a commit share one
/// entity-group transaction, and a retry that meets its own committed write is recognised, not reported as a
/// conflict. Transient failures are retried once, by the SDK pipeline under it. Every transaction also carries
/// its point-in-time journal row (<see cref="WriteJournal"/>): same round trip, same fate as the change.
/// </summary>
public sealed class TableProgressStore(StorageClients storage, IOptions<OnboardingOptions> options, WriteJournal journal) : IProgressStore
{
    /// <summary>Entities a commit may put in one transaction: one slot is the journal row's.</summary>
    private const int Capacity = TableWriteBatch.MaxActions - 1;

    public int ConflictRounds => options.Value.ConflictRetries;

    public async Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var state = new Stored<OnboardingState>(OnboardingState.Empty, null);
        var steps = new Dictionary<string, Stored<StepProgress>>(StringComparer.Ordinal);
        var counters = new Dictionary<string, Stored<WindowCounter>>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {userId} and RowKey lt {JournalEntity.DataRowsBelow}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey == ProgressEntities.State)
            {
                state = ProgressEntities.ToState(entity);
            }
            else if (ProgressEntities.IsStep(entity))
            {
                var step = ProgressEntities.ToStep(entity);
                steps[step.Value.StepId] = step;
            }
            else if (ProgressEntities.IsCounter(entity))
            {
                counters[entity.RowKey] = ProgressEntities.ToCounter(entity);
            }
        }

        return new ProgressSnapshot(userId, state, steps) { Counters = counters };
    }

    public async Task<Stored<StepProgress>?> ReadStepAsync(string userId, string stepId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(userId, ProgressEntities.StepKey(stepId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ProgressEntities.ToStep(response.Value!) : null;
    }

    public async Task<CommitStatus> CommitAsync(string userId, ProgressCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var removed = commit.Removed.Select(r => (Key: ProgressEntities.StepKey(r.Value.StepId), ETag: r.ETag!.Value)).ToList();
        if (commit.RemovedState is { } stateETag)
        {
            removed.Add((ProgressEntities.State, stateETag));
        }

        removed.AddRange(commit.RemovedCounters.Select(c => (Key: c.Key, ETag: c.Value.ETag!.Value)));

        var writes = (commit.Step is null ? 0 : 1) + (commit.State is null ? 0 : 1) + (commit.Counted is null ? 0 : 1);

        // A commit that only removes is erasure or retention removing the user's onboarding: the journal rows, which
        // copy the data, go first (a conflict below leaves them gone and the caller's next round removes the rows a
        // concurrent write journaled), and the removal itself is not journaled. A restore re-applies the erasure ledger.
        var removesUser = writes == 0 && removed.Count > 0;
        if (removesUser)
        {
            await RemoveJournalRowsAsync(table, userId, cancellationToken).ConfigureAwait(false);
        }

        // A commit that only counts a write (a refused write is counted too, ADR 0007) changes no guide data: it is
        // not journaled, so a rejected request leaves nothing but its counter (a point-in-time restore does not
        // bring rate-limit windows back anyway).
        var journaled = !removesUser && (commit.Step is not null || commit.State is not null || commit.Removed.Count > 0 || commit.RemovedState is not null);

        // A reset of more steps than one transaction holds: the state (which raises the revision floor) first,
        // then the steps in transactions of their own, each conditional. A conflict part-way leaves a state
        // whose floor is already raised, and the caller's next round finishes the removal.
        while (removed.Count + writes > Capacity)
        {
            var first = new TableWriteBatch(userId);
            if (writes > 0)
            {
                AddWrites(first, userId, commit);
                writes = 0;
            }

            foreach (var (key, etag) in removed.Take(Capacity - first.Actions.Count).ToList())
            {
                first.Delete(key, etag);
                removed.RemoveAt(0);
            }

            AppendJournal(first, journaled);
            if (!(await table.SubmitAsync(first, cancellationToken).ConfigureAwait(false)).Committed)
            {
                return CommitStatus.Conflict;
            }
        }

        var batch = new TableWriteBatch(userId);
        if (writes > 0)
        {
            AddWrites(batch, userId, commit);
        }

        foreach (var (key, etag) in removed)
        {
            batch.Delete(key, etag);
        }

        if (batch.Actions.Count == 0)
        {
            return CommitStatus.Committed;
        }

        AppendJournal(batch, journaled);
        return (await table.SubmitAsync(batch, cancellationToken).ConfigureAwait(false)).Committed ? CommitStatus.Committed : CommitStatus.Conflict;
    }

    public async Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var pages = table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"RowKey eq {ProgressEntities.StepKey(stepId)}"), pageSize, cancellationToken: cancellationToken)
            .AsPages(continuationToken, pageSize);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            return new StepHolderPage([.. page.Values.Select(e => new StepHolder(e.PartitionKey, ProgressEntities.ToStep(e)))], page.ContinuationToken);
        }

        return new StepHolderPage([], null);
    }

    private void AppendJournal(TableWriteBatch batch, bool journaled)
    {
        if (journaled)
        {
            journal.Append(batch, options.Value.TableName);
        }
    }

    private static async Task RemoveJournalRowsAsync(TableClient table, string userId, CancellationToken cancellationToken)
    {
        var rows = new List<(string RowKey, Azure.ETag ETag)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {userId} and RowKey ge {JournalEntity.RowPrefix}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add((row.RowKey, row.ETag));
        }

        foreach (var chunk in rows.Chunk(TableWriteBatch.MaxActions))
        {
            var batch = new TableWriteBatch(userId);
            foreach (var (key, etag) in chunk)
            {
                batch.Delete(key, etag);
            }

            // Journal rows are never updated: a conflict here only means another erasure removed them first.
            await table.SubmitAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The parts of a commit, all in the user's partition and so in one entity-group transaction; the
    /// point-in-time journal row joins them through <see cref="AppendJournal"/>.
    /// </summary>
    private static void AddWrites(TableWriteBatch batch, string userId, ProgressCommit commit)
    {
        if (commit.Step is { } step)
        {
            batch.Put(ProgressEntities.From(userId, step.Value), step.ETag, step.WriteIds);
        }

        if (commit.State is { } state)
        {
            batch.Put(ProgressEntities.From(userId, state.Value), state.ETag, state.WriteIds);
        }

        if (commit.Counted is { } counted)
        {
            batch.Put(ProgressEntities.From(userId, counted.RowKey, counted.Counter.Value), counted.Counter.ETag, counted.Counter.WriteIds);
        }
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        storage.GetTableAsync(options.Value.TableName, cancellationToken);
}
