using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// Progress in Table Storage: partition = user id, one entity per step plus one state entity. Writes go
/// through <see cref="ConditionalTableWrites"/>: each states the ETag it read, all of a commit share one
/// entity-group transaction, and a retry that meets its own committed write is recognised, not reported as a
/// conflict. Transient failures are retried once, by the SDK pipeline under it.
/// </summary>
public sealed class TableProgressStore(StorageClients storage, IOptions<OnboardingOptions> options) : IProgressStore
{
    public int ConflictRounds => options.Value.ConflictRetries;

    public async Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var state = new Stored<OnboardingState>(OnboardingState.Empty, null);
        var steps = new Dictionary<string, Stored<StepProgress>>(StringComparer.Ordinal);
        var counters = new Dictionary<string, Stored<WindowCounter>>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {userId}"), cancellationToken: cancellationToken).ConfigureAwait(false))
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

        // A reset of more steps than one transaction holds: the state (which raises the revision floor) first,
        // then the steps in transactions of their own, each conditional. A conflict part-way leaves a state
        // whose floor is already raised, and the caller's next round finishes the removal.
        while (removed.Count + writes > TableWriteBatch.MaxActions)
        {
            var first = new TableWriteBatch(userId);
            if (writes > 0)
            {
                AddWrites(first, userId, commit);
                writes = 0;
            }

            foreach (var (key, etag) in removed.Take(TableWriteBatch.MaxActions - first.Actions.Count).ToList())
            {
                first.Delete(key, etag);
                removed.RemoveAt(0);
            }

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

    /// <summary>
    /// The parts of a commit, all in the user's partition and so in one entity-group transaction. A part added
    /// later (the point-in-time journal entry of the backups work) is one more conditional entity here.
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
