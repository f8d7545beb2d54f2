using System.Reflection;
using System.Runtime.Serialization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Backups.Journal;

/// <summary>
/// The point-in-time journal, shared by every store that writes (ADR 0016). A store that writes an
/// entity-group transaction adds its row with <see cref="Append"/>: the journal row commits or fails
/// with the change, in the same round trip. A store that cannot (App Configuration, the flag table behind
/// the flag-store interface) calls <see cref="AppendAsync"/> after its write committed.
/// </summary>
public sealed class WriteJournal(StorageClients storage, TimeProvider time)
{
    /// <summary>
    /// The changes of one write, over at most 14 properties of 30,000 characters (<see cref="LongStringProperty"/>):
    /// 840 KB of UTF-16, leaving room in the 1 MiB entity for the row's other properties.
    /// </summary>
    public const int MaxChangesChars = LongStringProperty.ChunkLength * 14;

    /// <summary>Quotes inside journaled strings (a flag document is JSON) as <c>\"</c>, not the default six-character escape.</summary>
    private static readonly JsonWriterOptions EncodeOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Adds the journal row to a batch about to be submitted to <paramref name="table"/> (the store's logical
    /// table name): an insert of <c>~j{now}{writeId}</c> in the batch's partition carrying every entity the batch
    /// puts, merges or deletes. Call it last; it takes one of the transaction's 100 slots. The batch stamps its
    /// write id on it, so a lost response is recognised for the journal row as for the change.
    /// </summary>
    public void Append(TableWriteBatch batch, string table)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = time.GetUtcNow();
        batch.Put(Row(table, batch.PartitionKey, JournalEntity.InPartitionRowKey(now, batch.WriteId), now, batch.Actions.Select(ToChange)), null);
    }

    /// <summary>Records a write that has committed, in <c>backupjournal</c> (partition = the table).</summary>
    public async Task AppendAsync(string table, string partitionKey, IReadOnlyList<JournalChange> changes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var writeId = Guid.NewGuid().ToString("N");
        ArgumentNullException.ThrowIfNull(changes);
        // Changes of several partitions of one table share the journal's partition: each keeps its own as "{partition}\n{row}".
        var entity = Row(table, table, JournalEntity.JournalTableRowKey(now, writeId), now, changes.Select(c => c with { RowKey = partitionKey + "\n" + c.RowKey }));
        entity[TableWriteBatch.WriteIdProperty] = writeId;
        var journal = await storage.GetTableAsync(BackupStores.Journal, cancellationToken).ConfigureAwait(false);
        await journal.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
    }

    private static TableEntity Row(string table, string partitionKey, string rowKey, DateTimeOffset now, IEnumerable<JournalChange> changes)
    {
        var row = new TableEntity(partitionKey, rowKey)
        {
            [JournalEntity.TableProperty] = table,
            [JournalEntity.TimeProperty] = now,
        };
        SetChanges(row, changes);
        return row;
    }

    /// <summary>Writes the encoded changes into a journal row (over several properties when long), replacing what it held.</summary>
    public static void SetChanges(TableEntity row, IEnumerable<JournalChange> changes) =>
        LongStringProperty.Write(row, JournalEntity.ChangesProperty, Encode(changes));

    /// <summary>The encoded changes a journal row holds, its parts joined.</summary>
    public static string? ChangesOf(TableEntity row) => LongStringProperty.Read(row, JournalEntity.ChangesProperty);

    public static JournalChange ToChange(TableTransactionAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action.ActionType switch
        {
            TableTransactionActionType.Delete => new JournalChange(action.Entity.RowKey, JournalChange.Delete, null),
            TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpsertMerge => new JournalChange(action.Entity.RowKey, JournalChange.Merge, PropertiesOf(action.Entity)),
            _ => new JournalChange(action.Entity.RowKey, JournalChange.Put, PropertiesOf(action.Entity)),
        };
    }

    /// <summary>The stored properties of a typed or dynamic entity (keys, Timestamp and ETag excluded by the codec).</summary>
    public static IReadOnlyDictionary<string, object?> PropertiesOf(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity is TableEntity dynamic)
        {
            return new Dictionary<string, object?>(dynamic, StringComparer.Ordinal);
        }

        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in entity.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.CanRead && property.GetCustomAttribute<IgnoreDataMemberAttribute>() is null && property.Name is not (nameof(ITableEntity.ETag)))
            {
                var value = property.GetValue(entity);
                properties[property.Name] = value is Enum e ? e.ToString() : value;
            }
        }

        return properties;
    }

    public static string Encode(IEnumerable<JournalChange> changes)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, EncodeOptions))
        {
            writer.WriteStartArray();
            foreach (var change in changes)
            {
                writer.WriteStartObject();
                writer.WriteString("rk", change.RowKey);
                writer.WriteString("op", change.Operation);
                if (change.Properties is { } properties)
                {
                    writer.WritePropertyName("p");
                    EntityCodec.WriteProperties(writer, properties);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        var json = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        // A progress write (a step of at most 4 KB of answers, the state, a counter) stays far below; in a transaction
        // the refusal fails the write rather than leaving it silently unjournaled. A flag document (at most 360,000
        // characters in the flag store) fits unless escaping grows it past the limit: the journaled flag store counts
        // that as a journal failure (JournaledFlagStore).
        return json.Length <= MaxChangesChars
            ? json
            : throw new JournalRowTooLargeException($"A journal row holds at most {MaxChangesChars} characters of changes; this write has {json.Length}.");
    }

    public static IReadOnlyList<JournalChange> Decode(string json)
    {
        using var document = JsonDocument.Parse(json);
        var changes = new List<JournalChange>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            Dictionary<string, object?>? properties = null;
            if (element.TryGetProperty("p", out var p))
            {
                properties = new Dictionary<string, object?>(StringComparer.Ordinal);
                EntityCodec.ReadProperties(p, properties);
            }

            changes.Add(new JournalChange(element.GetProperty("rk").GetString()!, element.GetProperty("op").GetString()!, properties));
        }

        return changes;
    }

    /// <summary>The record a journal row holds.</summary>
    public static JournalRecord Read(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new JournalRecord(
            row.GetString(JournalEntity.TableProperty) ?? "",
            row.PartitionKey,
            row.GetDateTimeOffset(JournalEntity.TimeProperty) ?? DateTimeOffset.MinValue,
            row.RowKey,
            Decode(ChangesOf(row) ?? "[]"));
    }

    /// <summary>Whether a failure to append is worth a retry by the caller's layer (never thrown past a committed write).</summary>
    public static bool IsStorageFailure(Exception exception) => exception is RequestFailedException or IOException or HttpRequestException or TimeoutException;
}

/// <summary>A write whose changes do not fit in one journal row (<see cref="WriteJournal.MaxChangesChars"/>).</summary>
public sealed class JournalRowTooLargeException(string message) : InvalidOperationException(message);
