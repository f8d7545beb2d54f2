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
/// <para>
/// The <see cref="WriteIdProperty"/> holds the entity's last <see cref="WriteHistory"/> write ids, newest
/// first, separated by spaces (ADR 0017 §5): a store that passes the ids it read (<see cref="WriteIdsOf"/>) to
/// <see cref="Put"/> or <see cref="Merge"/> keeps them, so a retry whose commit was overwritten by another
/// writer before the retry arrived is still recognised. At most 8 × 32 + 7 = 263 characters: far under the
/// 64 KiB of a string property, and it never grows.
/// </para>
/// </summary>
public sealed class TableWriteBatch(string partitionKey)
{
    public const string WriteIdProperty = "WriteId";
    public const int MaxActions = 100;

    /// <summary>How many write ids an entity keeps: a retry is recognised while fewer later writes landed on it.</summary>
    public const int WriteHistory = 8;

    private readonly List<TableTransactionAction> _actions = [];

    public string PartitionKey { get; } = partitionKey;

    /// <summary>Unique per batch: stamped on every entity inserted or updated.</summary>
    public string WriteId { get; } = Guid.NewGuid().ToString("N");

    public IReadOnlyList<TableTransactionAction> Actions => _actions;

    /// <summary>Inserts, or replaces the entity read with <paramref name="ifMatch"/> (null: it must not exist yet).</summary>
    /// <param name="readWriteIds">The write ids the entity was read with (<see cref="WriteIdsOf"/>), kept behind this batch's.</param>
    public TableWriteBatch Put(TableEntity entity, ETag? ifMatch, string? readWriteIds = null) =>
        ifMatch is { } etag ? Add(TableTransactionActionType.UpdateReplace, entity, etag, readWriteIds) : Add(TableTransactionActionType.Add, entity, default, readWriteIds);

    /// <summary>Changes only the given properties of the entity read with <paramref name="ifMatch"/>.</summary>
    public TableWriteBatch Merge(TableEntity entity, ETag ifMatch, string? readWriteIds = null) => Add(TableTransactionActionType.UpdateMerge, entity, ifMatch, readWriteIds);

    public TableWriteBatch Delete(string rowKey, ETag ifMatch) =>
        Add(TableTransactionActionType.Delete, new TableEntity(PartitionKey, rowKey), ifMatch, null);

    /// <summary>The write ids an entity was read with, to hand back to <see cref="Put"/> when it is rewritten.</summary>
    public static string? WriteIdsOf(TableEntity entity) => entity.GetString(WriteIdProperty);

    /// <summary>Whether the stored write ids (<see cref="WriteIdProperty"/>) include <paramref name="writeId"/>.</summary>
    public static bool Includes(string? writeIds, string writeId) =>
        writeIds is not null && writeIds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(writeId, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="writeId"/> is the newest of the stored write ids: nobody wrote after it.</summary>
    public static bool IsLatest(string? writeIds, string writeId) =>
        writeIds is not null && writeIds.Split(' ', 2)[0] == writeId;

    private string Stamp(string? readWriteIds) =>
        string.Join(' ', (readWriteIds ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).Prepend(WriteId).Take(WriteHistory));

    private TableWriteBatch Add(TableTransactionActionType type, TableEntity entity, ETag ifMatch, string? readWriteIds)
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
            entity[WriteIdProperty] = Stamp(readWriteIds);
        }

        _actions.Add(new TableTransactionAction(type, entity, ifMatch));
        return this;
    }
}
