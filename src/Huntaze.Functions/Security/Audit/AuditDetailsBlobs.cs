using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// Details too large for a Table property (64 KiB, i.e. 32 K UTF-16 characters; 1 MiB per entity) live in
/// blob container <c>audit-details</c>, named by the SHA-256 of their content and written before the entry
/// that refers to them. The entry's hash is computed over the full details (the chain is unchanged), so
/// altering or removing the blob breaks verification like editing the entry would.
/// </summary>
public sealed class AuditDetailsBlobs(StorageClients storage)
{
    public const string Container = "audit-details";

    /// <summary>Details serialized longer than this are spilled (a Table string property holds 32,768 UTF-16 characters).</summary>
    public const int MaxInlineChars = 30_000;

    /// <summary>Stores <paramref name="json"/> once (content-addressed, so a retried or repeated write is the same blob) and returns its name.</summary>
    public async Task<string> SaveAsync(string json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = Encoding.UTF8.GetBytes(json);
        var name = Convert.ToHexStringLower(SHA256.HashData(bytes)) + ".json";
        var container = await storage.GetContainerAsync(Container, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.GetBlobClient(name).UploadAsync(
                BinaryData.FromBytes(bytes),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Already there: the name is the content's hash, so it holds these very details.
        }

        return name;
    }

    /// <summary>Deletes a spilled blob (retention, with the audit day that refers to it); already gone is fine.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var container = await storage.GetContainerAsync(Container, cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored details, or null when the blob is missing.</summary>
    public async Task<string?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        var container = await storage.GetContainerAsync(Container, cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(content.Value.Content.ToMemory().Span);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
