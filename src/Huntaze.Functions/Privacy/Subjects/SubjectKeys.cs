using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Privacy.Subjects;

/// <summary>
/// One random 256-bit key per subject (table <c>subjectkeys</c>, partition = subject reference), created on
/// first use. Deleting it is the crypto-shredding of everything encrypted under it. Keys are cached for at
/// most a minute: another instance may read an erased subject's audit fields for that long after the
/// erasure, never longer (docs/decisions/0011-data-subject-requests.md).
/// </summary>
public sealed class SubjectKeys(StorageClients storage, TimeProvider time)
{
    public const string RowKey = "key";
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (byte[] Key, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);

    /// <summary>The subject's key, created when it has none (insert-if-absent: concurrent creators agree on one).</summary>
    public async Task<byte[]> GetOrCreateAsync(string subjectRef, CancellationToken cancellationToken)
    {
        if (Cached(subjectRef) is { } cached)
        {
            return cached;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        if (await ReadAsync(table, subjectRef, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return Remember(subjectRef, existing);
        }

        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(subjectRef, RowKey) { ["Key"] = Convert.ToBase64String(key), ["CreatedAt"] = time.GetUtcNow() },
                cancellationToken).ConfigureAwait(false);
            return Remember(subjectRef, key);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Another writer created it first (or our own attempt committed before a lost response): use what is stored.
            return Remember(subjectRef, await ReadAsync(table, subjectRef, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The subject key vanished while being created."));
        }
    }

    /// <summary>The subject's key, or null when it was never created or has been destroyed.</summary>
    public async Task<byte[]?> FindAsync(string subjectRef, CancellationToken cancellationToken)
    {
        if (Cached(subjectRef) is { } cached)
        {
            return cached;
        }

        var key = await ReadAsync(await TableAsync(cancellationToken).ConfigureAwait(false), subjectRef, cancellationToken).ConfigureAwait(false);
        return key is null ? null : Remember(subjectRef, key);
    }

    /// <summary>Destroys the key (If-Match its ETag); true when one existed. Idempotent.</summary>
    public async Task<bool> DestroyAsync(string subjectRef, CancellationToken cancellationToken)
    {
        _cache.TryRemove(subjectRef, out _);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(subjectRef, RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!existing.HasValue)
        {
            return false;
        }

        try
        {
            await table.DeleteEntityAsync(subjectRef, RowKey, existing.Value!.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Deleted meanwhile (a retried attempt of ours): the key is gone either way.
        }

        _cache.TryRemove(subjectRef, out _);
        return true;
    }

    /// <summary>Whether a key row exists, bypassing the cache (verification).</summary>
    public async Task<bool> ExistsAsync(string subjectRef, CancellationToken cancellationToken) =>
        await ReadAsync(await TableAsync(cancellationToken).ConfigureAwait(false), subjectRef, cancellationToken).ConfigureAwait(false) is not null;

    private static async Task<byte[]?> ReadAsync(TableClient table, string subjectRef, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(subjectRef, RowKey, ["Key"], cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value!.GetString("Key") is { } key ? Convert.FromBase64String(key) : null;
    }

    private byte[]? Cached(string subjectRef) =>
        _cache.TryGetValue(subjectRef, out var entry) && time.GetUtcNow() - entry.At < CacheFor ? entry.Key : null;

    private byte[] Remember(string subjectRef, byte[] key)
    {
        _cache[subjectRef] = (key, time.GetUtcNow());
        return key;
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(PrivacyStores.SubjectKeys, cancellationToken);
}
