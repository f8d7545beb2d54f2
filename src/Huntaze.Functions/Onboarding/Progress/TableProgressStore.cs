using System.Diagnostics.CodeAnalysis;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// Progress in Table Storage: partition = user id, the whole guide in one entity (ADR 0018), so a read is one
/// point read and a change one conditional replace on the ETag read. Writes go through
/// <see cref="ConditionalTableWrites"/>: a retry that meets its own committed write is recognised, not reported
/// as a conflict. Transient failures are retried once, by the SDK pipeline under it. Every change also carries
/// its point-in-time journal row (<see cref="WriteJournal"/>) in the same entity-group transaction: same round
/// trip, same fate as the change. Every guide read or committed is held (<see cref="HeldGuides"/>, ADR 0019), so the
/// next change of that user on this instance can skip its read.
/// </summary>
public sealed class TableProgressStore(StorageClients storage, IOptions<OnboardingOptions> options, WriteJournal journal, HeldGuides held) : IProgressStore
{
    public int ConflictRounds => options.Value.ConflictRetries;

    public async Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(userId, ProgressEntities.GuideKey(userId), cancellationToken: cancellationToken).ConfigureAwait(false);
        var entity = response.HasValue ? response.Value : null;
        // The same ETag is the same entity: the guide held for it is what parsing it again would give.
        if (entity is not null && held.TryGet(userId, out var known) && known.ETag == entity.ETag)
        {
            return known;
        }

        var snapshot = ProgressEntities.ToSnapshot(userId, entity);
        held.Hold(snapshot);
        return snapshot;
    }

    public bool TryGetHeld(string userId, [NotNullWhen(true)] out ProgressSnapshot? snapshot) => held.TryGet(userId, out snapshot);

    public async Task<CommitStatus> CommitAsync(ProgressSnapshot basis, ProgressCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(commit);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var batch = new TableWriteBatch(basis.UserId);
        TableEntity? written = null;
        if (commit.ApplyTo(basis) is { } next)
        {
            written = ProgressEntities.From(next);
            batch.Put(written, basis.ETag, basis.WriteIds);
            // A commit that only counts a write (a refused write is counted too, ADR 0007) changes no guide data: it is
            // not journaled, so a rejected request leaves nothing but its counter (a point-in-time restore does not
            // bring rate-limit windows back anyway).
            if (commit.ChangesGuide)
            {
                journal.Append(batch, options.Value.TableName);
            }
        }
        else
        {
            if (basis.ETag is not { } etag)
            {
                return CommitStatus.Committed;
            }

            // Erasure or retention removing the user's onboarding: the journal rows, which copy the data, go first (a
            // conflict below leaves them gone and the caller's next round removes the rows a concurrent write
            // journaled), and the removal itself is not journaled. A restore re-applies the erasure ledger.
            await RemoveJournalRowsAsync(table, basis.UserId, cancellationToken).ConfigureAwait(false);
            batch.Delete(ProgressEntities.GuideKey(basis.UserId), etag);
        }

        var result = await table.SubmitAsync(batch, cancellationToken).ConfigureAwait(false);
        // Held as a read would find it: the entity written, with the ETag storage gave it. A write recognised behind a
        // lost response that was overwritten since has no ETag here, and a conflict means what was held is stale.
        if (result.Committed && written is not null && result.ETags.TryGetValue(written.RowKey, out var newETag))
        {
            written.ETag = newETag;
            held.Hold(ProgressEntities.ToSnapshot(basis.UserId, written));
        }
        else
        {
            held.Forget(basis.UserId);
        }

        return result.Committed ? CommitStatus.Committed : CommitStatus.Conflict;
    }

    public async Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        // Every user's guide, page by page: a cross-partition query on the row key (Table Storage cannot test
        // whether a property exists), the guides without the step left out here.
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var pages = table.QueryAsync<TableEntity>(
            ProgressEntities.AllGuides, pageSize, cancellationToken: cancellationToken)
            .AsPages(continuationToken, pageSize);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            var holders = page.Values
                .Select(e => ProgressEntities.ToSnapshot(e.PartitionKey, e))
                .Where(g => g.Steps.ContainsKey(stepId))
                .Select(g => new StepHolder(g, g.Steps[stepId]));
            return new StepHolderPage([.. holders], page.ContinuationToken);
        }

        return new StepHolderPage([], null);
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

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        storage.GetTableAsync(options.Value.TableName, cancellationToken);
}
