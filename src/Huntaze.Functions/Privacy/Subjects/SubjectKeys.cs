using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Privacy.Subjects;

/// <summary>A subject's data key and its random id (what ciphertexts name: nothing computable from the user id).</summary>
public sealed record SubjectKey(string KeyId, byte[] Key);

/// <summary>
/// One random 256-bit key per subject in table <c>subjectkeys</c>: row (subject reference, <c>key</c>) for
/// encrypting, row (key id, <c>id</c>) for decrypting a token that names only the key id. Deleting both is
/// the crypto-shredding of everything encrypted under the key: the tokens left in the audit log can then
/// neither be read nor linked back to the person. Keys are cached for at most a minute, so another
/// instance may read an erased subject's fields for that long after the erasure, never longer.
/// </summary>
public sealed class SubjectKeys(StorageClients storage, TimeProvider time)
{
    public const string ByReference = "key";
    public const string ById = "id";
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (SubjectKey? Key, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);

    /// <summary>The subject's key, created when it has none (insert-if-absent: concurrent creators agree on one).</summary>
    public async Task<SubjectKey> GetOrCreateAsync(string subjectRef, CancellationToken cancellationToken)
    {
        if (await FindAsync(subjectRef, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var created = new SubjectKey("k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        // The by-id row first: a token is only ever written after both rows exist.
        await table.AddEntityAsync(new TableEntity(created.KeyId, ById) { ["Key"] = Convert.ToBase64String(created.Key), ["CreatedAt"] = now }, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(subjectRef, ByReference) { ["KeyId"] = created.KeyId, ["Key"] = Convert.ToBase64String(created.Key), ["CreatedAt"] = now },
                cancellationToken).ConfigureAwait(false);
            return Remember(subjectRef, created);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Another writer created the subject's key first: use theirs, drop our unused by-id row.
            await table.DeleteEntityAsync(created.KeyId, ById, ETag.All, cancellationToken).ConfigureAwait(false);
            _cache.TryRemove(subjectRef, out _);
            return await FindAsync(subjectRef, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("The subject key vanished while being created.");
        }
    }

    /// <summary>The subject's key, or null when it was never created or has been destroyed.</summary>
    public async Task<SubjectKey?> FindAsync(string subjectRef, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(subjectRef, out var entry) && time.GetUtcNow() - entry.At < CacheFor)
        {
            return entry.Key;
        }

        var row = await ReadAsync(subjectRef, ByReference, cancellationToken).ConfigureAwait(false);
        var key = row?.GetString("KeyId") is { } keyId && row.GetString("Key") is { } material ? new SubjectKey(keyId, Convert.FromBase64String(material)) : null;
        return key is null ? null : Remember(subjectRef, key);
    }

    /// <summary>The key a token names, or null once destroyed.</summary>
    public async Task<byte[]?> FindByIdAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(keyId, out var entry) && time.GetUtcNow() - entry.At < CacheFor)
        {
            return entry.Key?.Key;
        }

        var row = await ReadAsync(keyId, ById, cancellationToken).ConfigureAwait(false);
        var key = row?.GetString("Key") is { } material ? new SubjectKey(keyId, Convert.FromBase64String(material)) : null;
        _cache[keyId] = (key, time.GetUtcNow());
        return key?.Key;
    }

    /// <summary>Destroys both rows of the subject's key; true when one existed. Idempotent.</summary>
    public async Task<bool> DestroyAsync(string subjectRef, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await ReadAsync(subjectRef, ByReference, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            _cache.TryRemove(subjectRef, out _);
            return false;
        }

        if (row.GetString("KeyId") is { } keyId)
        {
            // The key's rows are never updated, only created and destroyed: no writer to race with.
            await table.DeleteEntityAsync(keyId, ById, ETag.All, cancellationToken).ConfigureAwait(false);
            _cache.TryRemove(keyId, out _);
        }

        await table.DeleteEntityAsync(subjectRef, ByReference, row.ETag, cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(subjectRef, out _);
        return true;
    }

    /// <summary>Whether the subject's key exists, bypassing the cache (verification).</summary>
    public async Task<bool> ExistsAsync(string subjectRef, CancellationToken cancellationToken) =>
        await ReadAsync(subjectRef, ByReference, cancellationToken).ConfigureAwait(false) is not null;

    private async Task<TableEntity?> ReadAsync(string partition, string row, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    private SubjectKey Remember(string subjectRef, SubjectKey key)
    {
        _cache[subjectRef] = (key, time.GetUtcNow());
        return key;
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(PrivacyStores.SubjectKeys, cancellationToken);
}
