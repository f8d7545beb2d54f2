using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Huntaze.Functions.Platform.Storage;

/// <summary>
/// The app's Table and Blob clients. Tables and containers are named with the configured prefix (so
/// test runs and side-by-side hosts can share one account) and are created once, on first use. A store
/// the privacy data map does not declare is refused at first use (<see cref="IDeclaredStores"/>).
/// </summary>
public sealed class StorageClients(TableServiceClient tables, BlobServiceClient blobs, string prefix, IDeclaredStores declared)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> _containers = new(StringComparer.Ordinal);

    public TableServiceClient TableService { get; } = tables;

    public BlobServiceClient BlobService { get; } = blobs;

    /// <summary>Table names allow letters and digits only; the prefix is applied here and nowhere else.</summary>
    public string TableName(string logicalName) => Prefix + logicalName;

    public string ContainerName(string logicalName) => (Prefix.Length == 0 ? logicalName : $"{Prefix}-{logicalName}").ToLowerInvariant();

    /// <summary>The prefix this instance names stores with (a restore into side tables uses another).</summary>
    public string Prefix { get; } = prefix;

    /// <summary>The declarations this instance enforces.</summary>
    public IDeclaredStores Declared { get; } = declared;

    /// <exception cref="UndeclaredStoreException">The data map does not declare the table.</exception>
    public Task<TableClient> GetTableAsync(string logicalName, CancellationToken cancellationToken)
    {
        if (!_tables.ContainsKey(logicalName))
        {
            Declared.EnsureTable(logicalName);
        }

        return GetOrCreate(_tables, logicalName, async () =>
        {
            var client = TableService.GetTableClient(TableName(logicalName));
            await client.CreateIfNotExistsAsync(CancellationToken.None).ConfigureAwait(false);
            return client;
        }, cancellationToken);
    }

    /// <exception cref="UndeclaredStoreException">The data map does not declare the container.</exception>
    public Task<BlobContainerClient> GetContainerAsync(string logicalName, CancellationToken cancellationToken)
    {
        if (!_containers.ContainsKey(logicalName))
        {
            Declared.EnsureContainer(logicalName);
        }

        return GetOrCreate(_containers, logicalName, async () =>
        {
            var client = BlobService.GetBlobContainerClient(ContainerName(logicalName));
            await client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return client;
        }, cancellationToken);
    }

    /// <summary>
    /// One creation shared by all callers. It runs without any caller's token (one caller going away must
    /// not fail the others); each caller waits with its own token. Only a failed creation is forgotten.
    /// </summary>
    private static async Task<T> GetOrCreate<T>(ConcurrentDictionary<string, Lazy<Task<T>>> cache, string key, Func<Task<T>> create, CancellationToken cancellationToken)
    {
        var lazy = cache.GetOrAdd(key, _ => new Lazy<Task<T>>(create));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted)
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, lazy));
            throw;
        }
    }
}
