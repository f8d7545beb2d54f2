using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Privacy.Controls;

/// <summary>The subject references per indexed control, as published in <c>privacy/controls.json</c>.</summary>
public sealed record ControlsSnapshot(IReadOnlyDictionary<string, IReadOnlySet<string>> Refs)
{
    public static ControlsSnapshot Empty { get; } = new(new Dictionary<string, IReadOnlySet<string>>());

    public bool Contains(ControlKind kind, string subjectRef) =>
        Refs.TryGetValue(ControlKinds.RowKey(kind), out var set) && set.Contains(subjectRef);

    /// <summary>Whether anyone has a control of <paramref name="kind"/> (when nobody has, a subject's reference need not be computed).</summary>
    public bool Any(ControlKind kind) => Refs.TryGetValue(ControlKinds.RowKey(kind), out var set) && set.Count > 0;

    public ControlsSnapshot With(ControlKind kind, string subjectRef, bool present)
    {
        var refs = Refs.ToDictionary(r => r.Key, r => (IReadOnlySet<string>)new HashSet<string>(r.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        var set = refs.TryGetValue(ControlKinds.RowKey(kind), out var existing) ? new HashSet<string>(existing, StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
        if (present)
        {
            set.Add(subjectRef);
        }
        else
        {
            set.Remove(subjectRef);
        }

        refs[ControlKinds.RowKey(kind)] = set;
        return new ControlsSnapshot(refs);
    }

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(Refs.ToDictionary(r => r.Key, r => r.Value.Order(StringComparer.Ordinal).ToArray()));

    public static ControlsSnapshot Parse(BinaryData content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var raw = JsonSerializer.Deserialize<Dictionary<string, string[]>>(content) ?? [];
        return new ControlsSnapshot(raw.ToDictionary(r => r.Key, r => (IReadOnlySet<string>)new HashSet<string>(r.Value, StringComparer.Ordinal), StringComparer.Ordinal));
    }
}

/// <summary>
/// The controls index blob: read conditionally (<c>If-None-Match</c>) by every instance, rewritten by
/// read-modify-write conditioned on its ETag, so concurrent changes on several instances all land.
/// </summary>
public sealed class ControlsIndexBlob(StorageClients storage)
{
    public async Task<(ControlsSnapshot? Snapshot, string? ETag)> ReadAsync(string? ifNoneMatch, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var conditions = ifNoneMatch is null ? null : new BlobRequestConditions { IfNoneMatch = new ETag(ifNoneMatch) };
            var response = await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return response.GetRawResponse().Status == 304
                ? (null, ifNoneMatch)
                : (ControlsSnapshot.Parse(response.Value.Content), response.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 304)
        {
            return (null, ifNoneMatch);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (ControlsSnapshot.Empty, null);
        }
    }

    /// <summary>Applies <paramref name="change"/> to the current index and writes it If-Match; re-reads and retries a lost race.</summary>
    public async Task<ControlsSnapshot> UpdateAsync(Func<ControlsSnapshot, ControlsSnapshot> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var blob = await BlobAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var (current, etag) = await ReadAsync(null, cancellationToken).ConfigureAwait(false);
            var next = change(current!);
            try
            {
                await blob.UploadAsync(
                    new BinaryData(next.ToUtf8()),
                    new BlobUploadOptions
                    {
                        Conditions = etag is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(etag) },
                        HttpHeaders = new BlobHttpHeaders { ContentType = "application/json", CacheControl = "no-cache" },
                    },
                    cancellationToken).ConfigureAwait(false);
                return next;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 20)
            {
                // Another instance changed the index first; apply ours to theirs. (A retried upload that did
                // commit also lands here: re-applying the same change is a no-op.)
            }
        }
    }

    private async Task<BlobClient> BlobAsync(CancellationToken cancellationToken) =>
        (await storage.GetContainerAsync(PrivacyStores.ControlsContainer, cancellationToken).ConfigureAwait(false)).GetBlobClient(PrivacyStores.ControlsBlob);
}
