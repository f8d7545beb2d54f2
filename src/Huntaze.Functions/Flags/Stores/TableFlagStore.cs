using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Flags.Stores;

/// <summary>
/// The embedded store used when no App Configuration is configured: one row per flag in table <c>flags</c>,
/// the same v2 document as App Configuration would hold, the table's ETag as the flag's ETag. A Table string
/// property holds 64 KiB (32,768 UTF-16 characters), so a long document is split over <c>Document</c>,
/// <c>Document1</c>, <c>Document2</c> …; the entity's 1 MiB bounds the whole at <see cref="MaxDocumentLength"/>.
/// </summary>
public sealed class TableFlagStore(StorageClients storage) : IFlagStore
{
    public const string TableName = "flags";

    /// <summary>Characters per document property (under the 32,768 a 64 KiB property holds).</summary>
    public const int ChunkLength = LongStringProperty.ChunkLength;

    /// <summary>12 chunks: 720 KB of UTF-16 text, leaving room in the 1 MiB entity for the tags and system properties.</summary>
    public const int MaxDocumentLength = ChunkLength * 12;

    private const string Partition = "flag";
    private const string DocumentProperty = "Document";

    public string Kind => "tableStorage";

    public async Task<IReadOnlyList<StoredDocument>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        return await Call(async () =>
        {
            var documents = new List<StoredDocument>();
            await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                documents.Add(ToDocument(entity));
            }

            return documents;
        }).ConfigureAwait(false);
    }

    public async Task<StoredDocument?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var entity = await Call(() => table.GetEntityIfExistsAsync<TableEntity>(Partition, name, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return entity.HasValue ? ToDocument(entity.Value!) : null;
    }

    public async Task<StoredFlag> SaveAsync(FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken)
    {
        var document = FlagDocument.Serialize(flag);
        if (document.Length > MaxDocumentLength)
        {
            throw new FlagTooLargeException(
                $"The flag document has {document.Length} characters; the Table Storage flag store holds at most {MaxDocumentLength} (a 1 MiB entity).");
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, flag.Id) { ["Tags"] = JsonSerializer.Serialize(tags) };
        LongStringProperty.Write(entity, DocumentProperty, document);

        var ifMatch = condition.IfAbsent ? (ETag?)null
            : new ETag(condition.IfMatch ?? throw new ArgumentException("A flag write is conditional: an ETag, or absent.", nameof(condition)));
        var written = FlagDocument.Parse(document).Flag!;
        try
        {
            // The shared conditional write: a retry that meets its own commit (409/412) is recognised by the
            // batch's write id; equal content written by someone else is still a conflict.
            var result = await table.SubmitAsync(new TableWriteBatch(Partition).Put(entity, ifMatch), cancellationToken).ConfigureAwait(false);
            return result.Committed
                ? new StoredFlag(written, result.ETags[flag.Id].ToString(), tags)
                : throw new FlagConflictException(condition.IfAbsent ? "The flag already exists." : "The flag has changed since it was read.");
        }
        catch (RequestFailedException exception) when (exception.Status is 0 or 408 or 429 or >= 500)
        {
            throw new FlagStoreUnavailableException("Table Storage is unavailable.", exception);
        }
        catch (AggregateException exception) when (exception.InnerException is RequestFailedException)
        {
            throw new FlagStoreUnavailableException("Table Storage is unavailable.", exception);
        }
    }

    private Task<TableClient> Table(CancellationToken cancellationToken) =>
        Call(() => storage.GetTableAsync(TableName, cancellationToken));

    private static StoredDocument ToDocument(TableEntity entity)
    {
        var document = StoredDocument.Read(entity.RowKey, entity.ETag.ToString(), Tags(entity.GetString("Tags"), out var tagError), LongStringProperty.Read(entity, DocumentProperty) ?? "");
        return tagError is null ? document : document with { Errors = [.. document.Errors, tagError], Flag = null };
    }

    private static Dictionary<string, string> Tags(string? json, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException)
        {
            error = "The row's 'Tags' property is not a JSON object of strings.";
            return [];
        }
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 0 or 408 or 429 or >= 500)
        {
            throw new FlagStoreUnavailableException("Table Storage is unavailable.", exception);
        }
        catch (AggregateException exception) when (exception.InnerException is RequestFailedException)
        {
            throw new FlagStoreUnavailableException("Table Storage is unavailable.", exception);
        }
    }
}
