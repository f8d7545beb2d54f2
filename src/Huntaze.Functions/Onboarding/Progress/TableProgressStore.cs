using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// Progress in Table Storage: partition = user id, one entity per step plus one state entity. Writes
/// state their ETag (never <c>ETag.All</c>, azure-sdk-for-net #29369) and carry a fresh write id, so a
/// 412/409 that follows a retry of an attempt that did commit (azure-sdk-for-net #39146) is recognised
/// by re-reading and is not reported as a conflict.
/// </summary>
public sealed class TableProgressStore(StorageClients storage, StorageRetry retry, IOptions<OnboardingOptions> options, WriteJournal journal) : IProgressStore
{
    public async Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await retry.ExecuteAsync(async (_, ct) =>
        {
            var state = new Stored<OnboardingState>(OnboardingState.Empty, null);
            var steps = new Dictionary<string, Stored<StepProgress>>(StringComparer.Ordinal);
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {userId} and RowKey lt {JournalEntity.DataRowsBelow}"), cancellationToken: ct).ConfigureAwait(false))
            {
                if (entity.RowKey == ProgressKeys.State)
                {
                    state = ProgressEntityMapper.ToState(entity).ToStored();
                }
                else if (entity.RowKey.StartsWith(ProgressKeys.StepPrefix, StringComparison.Ordinal))
                {
                    var step = ProgressEntityMapper.ToStep(entity).ToStored();
                    steps[step.Value.StepId] = step;
                }
            }

            return new ProgressSnapshot(userId, state, steps);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stored<StepProgress>?> ReadStepAsync(string userId, string stepId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var response = await retry.ExecuteAsync(
            (_, ct) => table.GetEntityIfExistsAsync<StepProgressEntity>(userId, ProgressKeys.Step(stepId), cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value!.ToStored() : null;
    }

    public async Task<CommitResult> CommitAsync(string userId, ProgressCommit commit, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var writeId = Guid.NewGuid().ToString("N");
        var actions = new List<TableTransactionAction>(2);
        if (commit.Step is { } step)
        {
            actions.Add(Action(StepProgressEntity.From(userId, step.Value, writeId), step.ETag));
        }

        if (commit.State is { } state)
        {
            actions.Add(Action(OnboardingStateEntity.From(userId, state.Value, writeId), state.ETag));
        }

        if (actions.Count == 0)
        {
            return new CommitResult(CommitStatus.Committed, null, null);
        }

        // The point-in-time journal rides in the same entity-group transaction: same round trip, same fate.
        actions.Add(journal.ForTransaction(options.Value.TableName, userId, actions, writeId));
        try
        {
            await retry.ExecuteAsync(async (_, ct) => (await table.SubmitTransactionAsync(actions, ct).ConfigureAwait(false)).GetRawResponse(), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412)
        {
            // Our own earlier attempt may have committed before its response was lost: every entity we
            // wrote carries our write id only if so.
            if (!await IsOwnWriteAsync(table, userId, actions, writeId, cancellationToken).ConfigureAwait(false))
            {
                return new CommitResult(CommitStatus.Conflict, null, null);
            }
        }

        return new CommitResult(CommitStatus.Committed, null, null);
    }

    public Task<CommitResult> UpdateStepAsync(string userId, Stored<StepProgress> progress, CancellationToken cancellationToken) =>
        CommitAsync(userId, new ProgressCommit(progress, null), cancellationToken);

    public async Task<CommitResult> DeleteAsync(ProgressSnapshot snapshot, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var actions = snapshot.Steps.Values
            .Select(s => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(snapshot.UserId, ProgressKeys.Step(s.Value.StepId)), s.ETag!.Value))
            .ToList();
        if (snapshot.State.ETag is { } stateETag)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(snapshot.UserId, ProgressKeys.State), stateETag));
        }

        try
        {
            foreach (var chunk in actions.Chunk(99))
            {
                // Each transaction carries its journal row (tombstones), so at most 99 deletes go with it.
                var journaled = chunk.Append(journal.ForTransaction(options.Value.TableName, snapshot.UserId, chunk, Guid.NewGuid().ToString("N"))).ToList();
                await retry.ExecuteAsync((_, ct) => table.SubmitTransactionAsync(journaled, ct), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 409 or 412)
        {
            var now = await ReadAsync(snapshot.UserId, cancellationToken).ConfigureAwait(false);
            return new CommitResult(now.Steps.Count == 0 && now.State.ETag is null ? CommitStatus.Committed : CommitStatus.Conflict, null, null);
        }

        return new CommitResult(CommitStatus.Committed, null, null);
    }

    public async Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await retry.ExecuteAsync(async (_, ct) =>
        {
            var pages = table.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"RowKey eq {ProgressKeys.Step(stepId)}"), pageSize, cancellationToken: ct)
                .AsPages(continuationToken, pageSize);
            await foreach (var page in pages.ConfigureAwait(false))
            {
                return new StepHolderPage(
                    [.. page.Values.Select(e => new StepHolder(e.PartitionKey, ProgressEntityMapper.ToStep(e).ToStored()))],
                    page.ContinuationToken);
            }

            return new StepHolderPage([], null);
        }, cancellationToken).ConfigureAwait(false);
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        storage.GetTableAsync(options.Value.TableName, cancellationToken);

    private static TableTransactionAction Action(ITableEntity entity, ETag? expected) =>
        expected is { } etag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, etag)
            : new TableTransactionAction(TableTransactionActionType.Add, entity);

    private async Task<bool> IsOwnWriteAsync(TableClient table, string userId, List<TableTransactionAction> actions, string writeId, CancellationToken cancellationToken)
    {
        foreach (var action in actions)
        {
            var current = await retry.ExecuteAsync(
                (_, ct) => table.GetEntityIfExistsAsync<TableEntity>(userId, action.Entity.RowKey, ["WriteId"], ct),
                cancellationToken).ConfigureAwait(false);
            if (!current.HasValue || current.Value!.GetString("WriteId") != writeId)
            {
                return false;
            }
        }

        return true;
    }
}
