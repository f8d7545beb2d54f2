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

    /// <summary>
    /// Retries after the first attempt of every Table and Blob call, in the SDK's pipeline: the one retry layer
    /// for storage (docs/decisions/0006-one-retry-layer.md). A call makes at most <c>MaxRetries + 1</c> attempts.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; exponential with jitter up to <see cref="MaxRetryDelay"/> (a 429/503 <c>Retry-After</c> wins).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Per-attempt deadline of one HTTP exchange with storage.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
