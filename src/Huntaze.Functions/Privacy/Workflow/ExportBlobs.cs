using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Handlers;
using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Privacy.Workflow;

/// <summary>
/// The private <c>exports</c> container: <c>{requestId}/parts/{handler}.json</c> while an export runs (one
/// per fan-out activity, so no personal data passes through orchestration history), then
/// <c>{requestId}/export.zip</c> with an <c>expiresat</c> metadata entry the retention timer honours.
/// </summary>
public sealed class ExportBlobs(StorageClients storage)
{
    public const string ArchiveName = "export.zip";
    public const string ExpiresMetadata = "expiresat";

    public static string ArchivePath(string requestId) => $"{requestId}/{ArchiveName}";

    public async Task WritePartAsync(string requestId, string key, IReadOnlyList<StoreData> data, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient($"{requestId}/parts/{key}.json");
        // Overwrite: a re-run activity writes the same part again.
        await blob.UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(data, ApiJson.Options)), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoreData>> ReadPartAsync(string requestId, string key, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient($"{requestId}/parts/{key}.json");
        var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<List<StoreData>>(content.Value.Content.ToMemory().Span, ApiJson.Options) ?? [];
    }

    /// <summary>Writes the archive (replacing an earlier attempt's) with its expiry.</summary>
    public async Task<(long Bytes, string Sha256)> WriteArchiveAsync(string requestId, Func<Stream, CancellationToken, Task> write, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(ArchivePath(requestId));
        using var buffer = new MemoryStream();
        await write(buffer, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        var sha = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(buffer, cancellationToken).ConfigureAwait(false));
        buffer.Position = 0;
        await blob.UploadAsync(buffer, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/zip" },
            Metadata = new Dictionary<string, string> { [ExpiresMetadata] = expiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), ["sha256"] = sha },
        }, cancellationToken).ConfigureAwait(false);
        return (buffer.Length, sha);
    }

    /// <summary>The archive's content stream, or null when it is gone.</summary>
    public async Task<(Stream Content, long Length)?> OpenArchiveAsync(string requestId, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(ArchivePath(requestId));
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return (download.Value.Content, download.Value.Details.ContentLength);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string requestId, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = requestId + "/" }, cancellationToken).ConfigureAwait(false))
        {
            names.Add(item.Name);
        }

        return names;
    }

    public async Task<int> DeleteAllAsync(string requestId, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        foreach (var name in await ListAsync(requestId, cancellationToken).ConfigureAwait(false))
        {
            deleted += (await container.DeleteBlobIfExistsAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Value ? 1 : 0;
        }

        return deleted;
    }

    public async Task DeletePartsAsync(string requestId, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in (await ListAsync(requestId, cancellationToken).ConfigureAwait(false)).Where(n => n.Contains("/parts/", StringComparison.Ordinal)))
        {
            await container.DeleteBlobIfExistsAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every blob with its expiry (archives) or last change (parts), for retention.</summary>
    public async Task<IReadOnlyList<(string Name, DateTimeOffset? ExpiresAt, DateTimeOffset? LastModified)>> ListAllAsync(CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        var all = new List<(string, DateTimeOffset?, DateTimeOffset?)>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
        {
            DateTimeOffset? expires = item.Metadata.TryGetValue(ExpiresMetadata, out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
            all.Add((item.Name, expires, item.Properties.LastModified));
        }

        return all;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        (await (await ContainerAsync(cancellationToken).ConfigureAwait(false)).DeleteBlobIfExistsAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;

    private Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken) => storage.GetContainerAsync(PrivacyStores.Exports, cancellationToken);
}
