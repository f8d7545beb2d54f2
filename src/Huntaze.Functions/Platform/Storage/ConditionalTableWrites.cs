using Azure;
using Azure.Data.Tables;

namespace Huntaze.Functions.Platform.Storage;

/// <summary>How a conditional write ended.</summary>
public enum TableWriteStatus
{
    Committed,

    /// <summary>Another writer changed, created or deleted an entity since it was read: nothing was written.</summary>
    Conflict,
}

/// <summary>
/// The outcome, with the new ETag of each entity written (by row key; deleted ones have none, nor does one a
/// recognised write finds overwritten by another writer since).
/// </summary>
public sealed record TableWriteResult(TableWriteStatus Status, IReadOnlyDictionary<string, ETag> ETags)
{
    public static TableWriteResult Conflict { get; } = new(TableWriteStatus.Conflict, new Dictionary<string, ETag>());

    public bool Committed => Status == TableWriteStatus.Committed;
}

/// <summary>
/// The one way a store submits conditional Table writes. Transient failures are retried under it by the
/// SDK's own pipeline (configured once in <see cref="StorageServiceCollectionExtensions"/>); this adds what
/// the SDK cannot know: a retry whose first attempt committed before its response was lost meets 412/409/404
/// (azure-sdk-for-net #39146), and is recognised here by re-reading the write ids instead of being reported
/// as a conflict. A write that really lost a race (or raced a delete) is a <see cref="TableWriteStatus.Conflict"/>.
/// </summary>
public static class ConditionalTableWrites
{
    public static async Task<TableWriteResult> SubmitAsync(this TableClient table, TableWriteBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(batch);
        var actions = batch.Actions;
        if (actions.Count == 0)
        {
            return new TableWriteResult(TableWriteStatus.Committed, new Dictionary<string, ETag>());
        }

        try
        {
            var etags = new Dictionary<string, ETag>(StringComparer.Ordinal);
            if (actions.Count == 1)
            {
                var response = await SubmitSingleAsync(table, actions[0], cancellationToken).ConfigureAwait(false);
                Collect(etags, actions[0], response);
            }
            else
            {
                var responses = (await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value;
                for (var i = 0; i < actions.Count && i < responses.Count; i++)
                {
                    Collect(etags, actions[i], responses[i]);
                }
            }

            return new TableWriteResult(TableWriteStatus.Committed, etags);
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 409 or 412)
        {
            return await RecogniseAsync(table, batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task<Response> SubmitSingleAsync(TableClient table, TableTransactionAction action, CancellationToken cancellationToken) => action.ActionType switch
    {
        TableTransactionActionType.Add => table.AddEntityAsync(action.Entity, cancellationToken),
        TableTransactionActionType.UpdateReplace => table.UpdateEntityAsync(action.Entity, action.ETag, TableUpdateMode.Replace, cancellationToken),
        TableTransactionActionType.UpdateMerge => table.UpdateEntityAsync(action.Entity, action.ETag, TableUpdateMode.Merge, cancellationToken),
        TableTransactionActionType.Delete => table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, action.ETag, cancellationToken),
        _ => throw new NotSupportedException($"Unconditional action {action.ActionType}."),
    };

    private static void Collect(Dictionary<string, ETag> etags, TableTransactionAction action, Response response)
    {
        if (action.ActionType != TableTransactionActionType.Delete && response.Headers.ETag is { } etag)
        {
            etags[action.Entity.RowKey] = etag;
        }
    }

    /// <summary>
    /// Ours if an entity we wrote still lists our write id among its last <see cref="TableWriteBatch.WriteHistory"/>
    /// (a batch commits all or nothing, so one is proof; another writer may have overwritten it since, carrying the
    /// ids it read), or, for a batch that only deletes, if every entity is gone. The ETags returned are those of
    /// entities whose newest write is still ours: an entity overwritten since has none, since writing with its
    /// current ETag would overwrite a change the caller never read.
    /// </summary>
    private static async Task<TableWriteResult> RecogniseAsync(TableClient table, TableWriteBatch batch, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        var filter = $"PartitionKey eq '{Escape(batch.PartitionKey)}' and ({string.Join(" or ", batch.Actions.Select(a => $"RowKey eq '{Escape(a.Entity.RowKey)}'"))})";
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["RowKey", TableWriteBatch.WriteIdProperty], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found[entity.RowKey] = entity;
        }

        var written = batch.Actions.Where(a => a.ActionType != TableTransactionActionType.Delete).ToList();
        var ours = written.Count > 0
            ? written.Any(a => TableWriteBatch.Includes(WriteIdsAt(found, a), batch.WriteId))
            : batch.Actions.All(a => !found.ContainsKey(a.Entity.RowKey));
        if (!ours)
        {
            return TableWriteResult.Conflict;
        }

        var etags = new Dictionary<string, ETag>(StringComparer.Ordinal);
        foreach (var action in written.Where(a => TableWriteBatch.IsLatest(WriteIdsAt(found, a), batch.WriteId)))
        {
            etags[action.Entity.RowKey] = found[action.Entity.RowKey].ETag;
        }

        return new TableWriteResult(TableWriteStatus.Committed, etags);
    }

    private static string? WriteIdsAt(Dictionary<string, TableEntity> found, TableTransactionAction action) =>
        found.TryGetValue(action.Entity.RowKey, out var entity) ? TableWriteBatch.WriteIdsOf(entity) : null;

    private static string Escape(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}
