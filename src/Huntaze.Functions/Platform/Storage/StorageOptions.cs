namespace Huntaze.Functions.Platform.Storage;

/// <summary>Settings under <c>Storage__*</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// The name of the connection, resolved the way the Functions host resolves connections: a
    /// connection string in <c>{Connection}</c>, or an identity-based connection in
    /// <c>{Connection}__accountName</c> / <c>__tableServiceUri</c> + <c>__blobServiceUri</c> and
    /// <c>__clientId</c> for a user-assigned identity.
    /// </summary>
    public string Connection { get; set; } = "AzureWebJobsStorage";

    /// <summary>Prefix for every table and container name (letters and digits).</summary>
    public string TablePrefix { get; set; } = "";
}
