using System.Text.Json.Serialization;

namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>A key-value as the REST API represents it (<c>application/vnd.microsoft.appconfig.kv+json</c>).</summary>
public sealed record ConfigurationSetting
{
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    [JsonPropertyName("label")]
    public string? Label { get; init; }

    [JsonPropertyName("value")]
    public string? Value { get; init; }

    [JsonPropertyName("content_type")]
    public string? ContentType { get; init; }

    [JsonPropertyName("etag")]
    public string? ETag { get; init; }

    [JsonPropertyName("tags")]
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    [JsonPropertyName("last_modified")]
    public DateTimeOffset? LastModified { get; init; }

    [JsonPropertyName("locked")]
    public bool? Locked { get; init; }
}

/// <summary>One page of a list (<c>application/vnd.microsoft.appconfig.kvset+json</c>).</summary>
internal sealed record ConfigurationSettingPage
{
    [JsonPropertyName("items")]
    public IReadOnlyList<ConfigurationSetting> Items { get; init; } = [];

    [JsonPropertyName("@nextLink")]
    public string? NextLink { get; init; }
}

/// <summary>The body of a PUT: only what the service lets a client set.</summary>
internal sealed record ConfigurationSettingWrite(
    [property: JsonPropertyName("value")] string? Value,
    [property: JsonPropertyName("content_type")] string? ContentType,
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string>? Tags);

public enum ReadOutcome
{
    Found,
    NotModified,
    NotFound,
}

public sealed record ReadResult(ReadOutcome Outcome, ConfigurationSetting? Setting);

/// <summary>An App Configuration request that failed: <see cref="Status"/> is null when no answer came (network, timeout).</summary>
public sealed class AppConfigurationException : Exception
{
    public AppConfigurationException()
    {
    }

    public AppConfigurationException(string message)
        : base(message)
    {
    }

    public AppConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AppConfigurationException(int? status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    public int? Status { get; }

    public bool IsPreconditionFailed => Status == 412;

    /// <summary>Nothing usable came back: the store is unreachable, throttling us, or failing.</summary>
    public bool IsUnavailable => Status is null or 429 or >= 500;
}
