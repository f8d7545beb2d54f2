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

public sealed record SnapshotBlobHead(string ETag, string? Hash);

/// <summary>
/// The blobs of <c>flags/</c>: <c>snapshot.json</c> (the flag set every instance polls with <c>If-None-Match</c>)
/// and <c>sync-status.json</c> (the singleton sync's health, read by readiness).
/// </summary>
public sealed class SnapshotBlobStore(StorageClients storage)
{
    public const string Container = "flags";
    public const string SnapshotBlob = "snapshot.json";
    public const string StatusBlob = "sync-status.json";
    private const string HashMetadata = "flagshash";

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
            return new SnapshotBlobHead(properties.Value.ETag.ToString(), properties.Value.Metadata.TryGetValue(HashMetadata, out var hash) ? hash : null);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Uploads when the blob is still at <paramref name="expectedETag"/> (absent when null); null when another writer got there first.</summary>
    public async Task<string?> TryPublishAsync(byte[] content, string hash, string? expectedETag, CancellationToken cancellationToken)
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
                    Metadata = new Dictionary<string, string> { [HashMetadata] = hash },
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

    public async Task WriteStatusAsync(BinaryData status, CancellationToken cancellationToken)
    {
        var blob = await Blob(StatusBlob, cancellationToken).ConfigureAwait(false);
        await blob.UploadAsync(status, overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BinaryData?> ReadStatusAsync(CancellationToken cancellationToken)
    {
        var blob = await Blob(StatusBlob, cancellationToken).ConfigureAwait(false);
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    private async Task<BlobClient> Blob(string name, CancellationToken cancellationToken) =>
        (await storage.GetContainerAsync(Container, cancellationToken).ConfigureAwait(false)).GetBlobClient(name);
}
