using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Backups;

/// <summary>The manifests in the <c>backups</c> container: list, read, write (conditionally) and delete whole backups.</summary>
public sealed class BackupCatalog(StorageClients storage)
{
    public const string DateFormat = "yyyy-MM-dd";

    public static string Format(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static bool TryParse(string? value, out DateOnly date) =>
        DateOnly.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>A date validated before it reached here (orchestration inputs, manifests).</summary>
    public static DateOnly Parse(string value) =>
        TryParse(value, out var date) ? date : throw new FormatException($"'{value}' is not a backup date (yyyy-MM-dd).");

    public Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken) =>
        storage.GetContainerAsync(BackupStores.Container, cancellationToken);

    /// <summary>The dates that have a blob of a backup (complete or not), oldest first.</summary>
    public async Task<IReadOnlyList<DateOnly>> DatesAsync(CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        var dates = new SortedSet<DateOnly>();
        await foreach (var item in container.GetBlobsByHierarchyAsync(new GetBlobsByHierarchyOptions { Delimiter = "/" }, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix && TryParse(item.Prefix.TrimEnd('/'), out var date))
            {
                dates.Add(date);
            }
        }

        return [.. dates];
    }

    /// <summary>The manifest and its ETag, or null when the date has no completed backup.</summary>
    public async Task<(BackupManifest Manifest, ETag ETag)?> GetAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await container.GetBlobClient(BackupStores.ManifestPath(Format(date))).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var manifest = JsonSerializer.Deserialize<BackupManifest>(content.Value.Content, ApiJson.Options)
                ?? throw new InvalidDataException("Empty manifest.");
            return (manifest, content.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Every completed backup, newest first.</summary>
    public async Task<IReadOnlyList<BackupManifest>> ListAsync(CancellationToken cancellationToken)
    {
        var manifests = new List<BackupManifest>();
        foreach (var date in (await DatesAsync(cancellationToken).ConfigureAwait(false)).Reverse())
        {
            if (await GetAsync(date, cancellationToken).ConfigureAwait(false) is { } found)
            {
                manifests.Add(found.Manifest);
            }
        }

        return manifests;
    }

    /// <summary>Writes the manifest: unconditionally for a new backup, on the ETag read for a verification.</summary>
    /// <returns>False when the manifest changed since it was read (another run rewrote it).</returns>
    public async Task<bool> SaveAsync(BackupManifest manifest, ETag? ifMatch, IDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await container.GetBlobClient(BackupStores.ManifestPath(manifest.Date)).UploadAsync(
                BinaryData.FromObjectAsJson(manifest, ApiJson.Options),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    Conditions = ifMatch is { } etag ? new BlobRequestConditions { IfMatch = etag } : null,
                    Tags = tags,
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Deletes every blob of a backup (retention, or an operator acting on an erasure).</summary>
    public async Task<int> DeleteAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = Format(date) + "/" }, cancellationToken).ConfigureAwait(false))
        {
            // The manifest last: a half-deleted backup is never listed as complete.
            if (blob.Name.EndsWith("/" + BackupStores.ManifestBlob, StringComparison.Ordinal))
            {
                continue;
            }

            await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            deleted++;
        }

        if ((await container.DeleteBlobIfExistsAsync(BackupStores.ManifestPath(Format(date)), cancellationToken: cancellationToken).ConfigureAwait(false)).Value)
        {
            deleted++;
        }

        return deleted;
    }
}
