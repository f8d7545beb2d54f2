using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Flags.Propagation;

public enum BlobReadOutcome
{
    Changed,
    NotModified,
    NotFound,
}

public sealed record SnapshotBlobRead(BlobReadOutcome Outcome, byte[]? Content, string? ETag);

public sealed record SnapshotBlobHead(string ETag, string? Hash, long Generation);

/// <summary>
/// The flag set every instance polls with <c>If-None-Match</c>: blob <c>flags/snapshot.json</c>.
/// </summary>
public sealed class SnapshotBlobStore(StorageClients storage)
{
    public const string Container = "flags";
    public const string SnapshotBlob = "snapshot.json";
    private const string HashMetadata = "flagshash";
    private const string GenerationMetadata = "flagsgeneration";

    public async Task<SnapshotBlobRead> ReadIfChangedAsync(string? etag, CancellationToken cancellationToken)
    {
        var blob = await Blob(SnapshotBlob, cancellationToken).ConfigureAwait(false);
        try
        {
            var conditions = etag is null ? null : new BlobRequestConditions { IfNoneMatch = new ETag(etag) };
            var response = await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            if (response.GetRawResponse().Status == 304)
            {
                // A conditional GET answers 304 without throwing; the response then has no Value.
                return new SnapshotBlobRead(BlobReadOutcome.NotModified, null, etag);
            }

            return new SnapshotBlobRead(BlobReadOutcome.Changed, response.Value.Content.ToArray(), response.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException exception) when (exception.Status == 304)
        {
            return new SnapshotBlobRead(BlobReadOutcome.NotModified, null, etag);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return new SnapshotBlobRead(BlobReadOutcome.NotFound, null, null);
        }
    }

    public async Task<SnapshotBlobHead?> HeadAsync(CancellationToken cancellationToken)
    {
        var blob = await Blob(SnapshotBlob, cancellationToken).ConfigureAwait(false);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var metadata = properties.Value.Metadata;
            return new SnapshotBlobHead(
                properties.Value.ETag.ToString(),
                metadata.TryGetValue(HashMetadata, out var hash) ? hash : null,
                metadata.TryGetValue(GenerationMetadata, out var g) && long.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out var generation) ? generation : 0);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The snapshot's content if the blob is still at <paramref name="etag"/>; null when it has changed since (or is gone).</summary>
    public async Task<byte[]?> ReadIfUnchangedAsync(string etag, CancellationToken cancellationToken)
    {
        var blob = await Blob(SnapshotBlob, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await blob.DownloadContentAsync(
                new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) } }, cancellationToken).ConfigureAwait(false);
            return response.Value.Content.ToArray();
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 412)
        {
            return null;
        }
    }

    /// <summary>Uploads when the blob is still at <paramref name="expectedETag"/> (absent when null); null when another writer got there first.</summary>
    public async Task<string?> TryPublishAsync(byte[] content, string hash, long generation, string? expectedETag, CancellationToken cancellationToken)
    {
        var blob = await Blob(SnapshotBlob, cancellationToken).ConfigureAwait(false);
        var conditions = expectedETag is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(expectedETag) };
        try
        {
            var response = await blob.UploadAsync(
                new BinaryData(content),
                new BlobUploadOptions
                {
                    Conditions = conditions,
                    Metadata = new Dictionary<string, string>
                    {
                        [HashMetadata] = hash,
                        [GenerationMetadata] = generation.ToString(CultureInfo.InvariantCulture),
                    },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json", CacheControl = "no-cache" },
                },
                cancellationToken).ConfigureAwait(false);
            return response.Value.ETag.ToString();
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412)
        {
            return null;
        }
    }

    private async Task<BlobClient> Blob(string name, CancellationToken cancellationToken) =>
        (await storage.GetContainerAsync(Container, cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
}
