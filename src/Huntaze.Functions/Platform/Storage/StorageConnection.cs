using Microsoft.Extensions.Configuration;

namespace Huntaze.Functions.Platform.Storage;

/// <summary>A storage connection as the Functions host reads one: a connection string or service URIs.</summary>
public sealed record StorageConnection(string? ConnectionString, Uri? TableUri, Uri? BlobUri)
{
    public static StorageConnection Resolve(IConfiguration configuration, string name)
    {
        var value = configuration[name] ?? configuration.GetConnectionString(name);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return new StorageConnection(value, null, null);
        }

        var section = configuration.GetSection(name);
        var account = section["accountName"];
        var table = section["tableServiceUri"] ?? (account is null ? null : $"https://{account}.table.core.windows.net");
        var blob = section["blobServiceUri"] ?? (account is null ? null : $"https://{account}.blob.core.windows.net");
        if (table is null || blob is null)
        {
            throw new InvalidOperationException(
                $"Storage connection '{name}' is not configured: set '{name}' to a connection string, or '{name}__accountName' (or '__tableServiceUri' and '__blobServiceUri') for managed identity.");
        }

        return new StorageConnection(null, new Uri(table), new Uri(blob));
    }
}
