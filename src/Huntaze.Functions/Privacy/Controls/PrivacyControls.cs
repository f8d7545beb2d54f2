using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Subjects;

namespace Huntaze.Functions.Privacy.Controls;

/// <summary>
/// Sets and lifts per-subject controls: the row in <c>privacycontrols</c> (partition = subject reference)
/// is the truth, the index blob the fast copy every instance reads. Set and lift are idempotent: the row
/// is inserted if absent / deleted If-Match what was read, and the index change is a set operation.
/// </summary>
public sealed class PrivacyControls(StorageClients storage, SubjectReferences references, ControlsIndexBlob index, ControlsView view, TimeProvider time)
{
    public async Task<ControlRecord> SetAsync(string userId, ControlKind kind, string setBy, string? reason, CancellationToken cancellationToken)
    {
        var subjectRef = await references.OfAsync(userId, cancellationToken).ConfigureAwait(false);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var record = new ControlRecord(kind, userId, time.GetUtcNow(), setBy, reason);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(subjectRef, ControlKinds.RowKey(kind)) { ["UserId"] = userId, ["Since"] = record.Since, ["SetBy"] = setBy, ["Reason"] = reason },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already in force (set earlier, or our own retried insert): keep the original.
            record = (await GetAsync(userId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(c => c.Kind == kind) ?? record;
        }

        await PublishAsync(kind, subjectRef, present: true, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Lifts the control; false when it was not in force.</summary>
    public async Task<bool> LiftAsync(string userId, ControlKind kind, CancellationToken cancellationToken)
    {
        var subjectRef = await references.OfAsync(userId, cancellationToken).ConfigureAwait(false);
        var lifted = await DeleteRowAsync(subjectRef, ControlKinds.RowKey(kind), cancellationToken).ConfigureAwait(false);
        await PublishAsync(kind, subjectRef, present: false, cancellationToken).ConfigureAwait(false);
        return lifted;
    }

    public async Task<IReadOnlyList<ControlRecord>> GetAsync(string userId, CancellationToken cancellationToken) =>
        await GetByRefAsync(await references.OfAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<ControlRecord>> GetByRefAsync(string subjectRef, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<ControlRecord>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {subjectRef}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ControlKinds.FromRowKey(row.RowKey) is { } kind)
            {
                found.Add(new ControlRecord(kind, row.GetString("UserId"), row.GetDateTimeOffset("Since") ?? default, row.GetString("SetBy") ?? "", row.GetString("Reason")));
            }
        }

        return found;
    }

    /// <summary>Erasure: every control of the subject removed, row and index. Returns the rows deleted.</summary>
    public async Task<int> RemoveAllAsync(string subjectRef, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var control in await GetByRefAsync(subjectRef, cancellationToken).ConfigureAwait(false))
        {
            deleted += await DeleteRowAsync(subjectRef, ControlKinds.RowKey(control.Kind), cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        var updated = await index.UpdateAsync(
            s => Enum.GetValues<ControlKind>().Where(ControlKinds.IsIndexed).Aggregate(s, (current, kind) => current.With(kind, subjectRef, present: false)),
            cancellationToken).ConfigureAwait(false);
        view.Apply(updated);
        return deleted;
    }

    private async Task PublishAsync(ControlKind kind, string subjectRef, bool present, CancellationToken cancellationToken)
    {
        if (ControlKinds.IsIndexed(kind))
        {
            view.Apply(await index.UpdateAsync(s => s.With(kind, subjectRef, present), cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task<bool> DeleteRowAsync(string subjectRef, string rowKey, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(subjectRef, rowKey, ["PartitionKey"], cancellationToken).ConfigureAwait(false);
        if (!row.HasValue)
        {
            return false;
        }

        try
        {
            await table.DeleteEntityAsync(subjectRef, rowKey, row.Value!.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Gone already, or set again meanwhile (which we then leave): either way not ours to delete now.
            return e.Status == 404;
        }

        return true;
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(PrivacyStores.Controls, cancellationToken);
}
