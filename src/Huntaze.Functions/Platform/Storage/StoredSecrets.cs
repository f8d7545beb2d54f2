using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;

namespace Huntaze.Functions.Platform.Storage;

/// <summary>
/// Random keys the app creates for itself when none is configured: one blob each in the private
/// <c>secrets</c> container, created with <c>If-None-Match: *</c> so that every instance ends up with the
/// same key and no secret has to be deployed. Only the app's managed identity can read the container.
/// </summary>
public static class StoredSecrets
{
    public const string Container = "secrets";

    public static async Task<byte[]> LoadOrCreateAsync(StorageClients storage, string blobName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var container = await storage.GetContainerAsync(Container, cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlobClient(blobName);
        try
        {
            await blob.UploadAsync(
                BinaryData.FromBytes(RandomNumberGenerator.GetBytes(32)),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another instance created it first: everyone uses that one.
        }

        var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return content.Value.Content.ToArray();
    }
}
