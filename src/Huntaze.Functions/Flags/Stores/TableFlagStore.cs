using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Flags.Stores;

/// <summary>
/// The embedded store used when no App Configuration is configured: one row per flag in table <c>flags</c>,
/// the same v2 document as App Configuration would hold, the table's ETag as the flag's ETag.
/// </summary>
public sealed class TableFlagStore(StorageClients storage) : IFlagStore
{
    public const string TableName = "flags";
    private const string Partition = "flag";

    public string Kind => "tableStorage";

    public async Task<FlagListing> ListAsync(CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var flags = new List<StoredFlag>();
        var invalid = new List<string>();
        await Call(async () =>
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (ToStored(entity) is { } stored)
                {
                    flags.Add(stored);
                }
                else
                {
                    invalid.Add(entity.RowKey);
                }
            }

            return 0;
        }).ConfigureAwait(false);
        return new FlagListing(flags, invalid);
    }

    public async Task<StoredFlag?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var entity = await Call(() => table.GetEntityIfExistsAsync<TableEntity>(Partition, name, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return entity.HasValue ? ToStored(entity.Value!) : null;
    }

    public async Task<StoredFlag> SaveAsync(FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var document = FlagDocument.Serialize(flag);
        var entity = new TableEntity(Partition, flag.Id)
        {
            ["Document"] = document,
            ["Tags"] = JsonSerializer.Serialize(tags),
        };
        try
        {
            var response = condition.IfAbsent
                ? await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                : await table.UpdateEntityAsync(entity, condition.IfMatch is null ? ETag.All : new ETag(condition.IfMatch), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return new StoredFlag(flag, response.Headers.ETag?.ToString() ?? string.Empty, tags);
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 409 or 404)
        {
            // A retried conditional write can report 412 although its first attempt committed
            // (azure-sdk-for-net #39146): re-read and compare before calling it a conflict.
            var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, flag.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (exception.Status == 412 && current.HasValue && current.Value!.GetString("Document") == document &&
                current.Value.GetString("Tags") == entity.GetString("Tags"))
            {
                return new StoredFlag(flag, current.Value.ETag.ToString(), tags);
            }

            throw new FlagConflictException(exception.Status == 409 ? "The flag already exists." : "The flag has changed since it was read.", exception);
        }
        catch (RequestFailedException exception) when (exception.Status is 0 or 429 or >= 500)
        {
            throw new FlagStoreUnavailableException("Table Storage is unavailable.", exception);
        }
    }

    private Task<TableClient> Table(CancellationToken cancellationToken) =>
        Call(() => storage.GetTableAsync(TableName, cancellationToken));

    private static StoredFlag? ToStored(TableEntity entity)
    {
        var parsed = FlagDocument.Parse(entity.GetString("Document") ?? string.Empty, entity.RowKey);
        if (!parsed.IsValid)
        {
            return null;
        }

        var tags = entity.GetString("Tags") is { Length: > 0 } json
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []
            : [];
        return new StoredFlag(parsed.Flag!, entity.ETag.ToString(), tags);
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 0 or 429 or >= 500)
        {
            throw new FlagStoreUnavailableException("Table Storage is unavailable.", exception);
        }
        catch (AggregateException exception) when (exception.InnerException is RequestFailedException)
        {
            throw new FlagStoreUnavailableException("Table Storage is unavailable.", exception);
        }
    }
}
