using Azure;
using Azure.Data.Tables;

namespace Huntaze.Functions.Platform.Storage;

/// <summary>
/// Conditional writes to one partition, made together: one operation, or one entity-group transaction
/// (at most 100 entities, all or nothing). Every write states its condition: an insert fails if the entity
/// exists, a replace, merge or delete needs the ETag read (never <c>ETag.All</c>, azure-sdk-for-net #29369).
/// Every entity written carries the batch's <see cref="WriteId"/>, which is how
/// <see cref="ConditionalTableWrites.SubmitAsync"/> recognises its own commit behind a lost response. Stores
/// compose their batch from parts (a step, the state, a rate-limit counter, a journal entry) and submit it once.
/// </summary>
public sealed class TableWriteBatch(string partitionKey)
{
    public const string WriteIdProperty = "WriteId";
    public const int MaxActions = 100;

    private readonly List<TableTransactionAction> _actions = [];

    public string PartitionKey { get; } = partitionKey;

    /// <summary>Unique per batch: stamped on every entity inserted or updated.</summary>
    public string WriteId { get; } = Guid.NewGuid().ToString("N");

    public IReadOnlyList<TableTransactionAction> Actions => _actions;

    /// <summary>Inserts, or replaces the entity read with <paramref name="ifMatch"/> (null: it must not exist yet).</summary>
    public TableWriteBatch Put(TableEntity entity, ETag? ifMatch) =>
        ifMatch is { } etag ? Add(TableTransactionActionType.UpdateReplace, entity, etag) : Add(TableTransactionActionType.Add, entity, default);

    /// <summary>Changes only the given properties of the entity read with <paramref name="ifMatch"/>.</summary>
    public TableWriteBatch Merge(TableEntity entity, ETag ifMatch) => Add(TableTransactionActionType.UpdateMerge, entity, ifMatch);

    public TableWriteBatch Delete(string rowKey, ETag ifMatch) =>
        Add(TableTransactionActionType.Delete, new TableEntity(PartitionKey, rowKey), ifMatch);

    private TableWriteBatch Add(TableTransactionActionType type, TableEntity entity, ETag ifMatch)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity.PartitionKey != PartitionKey)
        {
            throw new ArgumentException("Every entity of a batch must be in the batch's partition.", nameof(entity));
        }

        if (type != TableTransactionActionType.Add && (ifMatch == default || ifMatch == ETag.All))
        {
            throw new ArgumentException("A conditional write needs the ETag that was read.", nameof(ifMatch));
        }

        if (_actions.Count == MaxActions || _actions.Any(a => a.Entity.RowKey == entity.RowKey))
        {
            throw new InvalidOperationException($"A batch holds at most {MaxActions} entities, each once.");
        }

        if (type != TableTransactionActionType.Delete)
        {
            entity[WriteIdProperty] = WriteId;
        }

        _actions.Add(new TableTransactionAction(type, entity, ifMatch));
        return this;
    }
}
