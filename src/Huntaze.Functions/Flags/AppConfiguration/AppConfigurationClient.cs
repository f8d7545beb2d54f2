using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>
/// A small client for the App Configuration REST API (api-version 2023-11-01): list with label filter and
/// <c>@nextLink</c> paging, conditional reads and writes, and the <c>Sync-Token</c> round trip. Requests go
/// through one Azure.Core <see cref="HttpPipeline"/>: its retry policy is the only retry layer (429 with
/// <c>retry-after-ms</c>, 408, 5xx, timeouts, connection failures; docs/decisions/0006), authentication is a
/// per-retry policy (each attempt is signed or carries a token afresh), and the transport is Azure.Core's
/// shared one. No SDK for App Configuration is served here.
/// </summary>
public sealed class AppConfigurationClient
{
    public const string ApiVersion = "2023-11-01";
    public const string KeyValueMediaType = "application/vnd.microsoft.appconfig.kv+json";
    public const string KeySetMediaType = "application/vnd.microsoft.appconfig.kvset+json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Uri _endpoint;
    private readonly HttpPipeline _pipeline;

    /// <param name="authentication"><see cref="HmacSigningPolicy"/> or Azure.Core's <see cref="BearerTokenAuthenticationPolicy"/>.</param>
    public AppConfigurationClient(Uri endpoint, HttpPipelinePolicy authentication, AppConfigurationClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _endpoint = endpoint;
        _pipeline = HttpPipelineBuilder.Build(new HttpPipelineOptions(options)
        {
            PerRetryPolicies = { new SyncTokenPolicy(SyncTokens), authentication },
        });
    }

    public SyncTokens SyncTokens { get; } = new();

    public Uri Endpoint => _endpoint;

    /// <summary>All settings whose key starts with <paramref name="keyPrefix"/> under one label ("" = no label, the documented <c>%00</c> filter).</summary>
    public async Task<IReadOnlyList<ConfigurationSetting>> ListAsync(string keyPrefix, string label, CancellationToken cancellationToken)
    {
        var items = new List<ConfigurationSetting>();
        var next = $"/kv?key={Uri.EscapeDataString(EscapeFilter(keyPrefix))}*&label={LabelFilter(label)}&api-version={ApiVersion}";
        while (next is not null)
        {
            using var message = await SendAsync(RequestMethod.Get, next, null, null, cancellationToken).ConfigureAwait(false);
            EnsureSuccess(message.Response);
            var page = Read<ConfigurationSettingPage>(message.Response);
            items.AddRange(page.Items);
            next = page.NextLink;
        }

        return items;
    }

    /// <summary>One key; <paramref name="ifNoneMatch"/> (an ETag) turns an unchanged key into <see cref="ReadOutcome.NotModified"/>.</summary>
    public async Task<ReadResult> GetAsync(string key, string label, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        var headers = ifNoneMatch is null ? null : new Dictionary<string, string> { ["If-None-Match"] = Quote(ifNoneMatch) };
        using var message = await SendAsync(RequestMethod.Get, KeyPath(key, label), null, headers, cancellationToken).ConfigureAwait(false);
        switch (message.Response.Status)
        {
            case 304:
                return new ReadResult(ReadOutcome.NotModified, null);
            case 404:
                return new ReadResult(ReadOutcome.NotFound, null);
            default:
                EnsureSuccess(message.Response);
                return new ReadResult(ReadOutcome.Found, Read<ConfigurationSetting>(message.Response));
        }
    }

    /// <summary>
    /// Writes one key. <paramref name="ifMatch"/>: the ETag the caller read (412 when it changed since);
    /// <paramref name="onlyIfAbsent"/>: create only (<c>If-None-Match: *</c>). Neither means unconditional.
    /// </summary>
    public async Task<ConfigurationSetting> PutAsync(
        string key, string label, string? value, string? contentType, IReadOnlyDictionary<string, string>? tags, string? ifMatch, bool onlyIfAbsent, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new ConfigurationSettingWrite(value, contentType, tags), Json);
        var headers = new Dictionary<string, string>();
        if (ifMatch is not null)
        {
            headers["If-Match"] = Quote(ifMatch);
        }
        else if (onlyIfAbsent)
        {
            headers["If-None-Match"] = "*";
        }

        using var message = await SendAsync(RequestMethod.Put, KeyPath(key, label), body, headers, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(message.Response);
        return Read<ConfigurationSetting>(message.Response);
    }

    private async Task<HttpMessage> SendAsync(
        RequestMethod method, string pathAndQuery, byte[]? body, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri(_endpoint, pathAndQuery));
        request.Headers.SetValue("Accept", $"{KeyValueMediaType}, {KeySetMediaType}, application/problem+json");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.SetValue(name, value);
        }

        if (body is not null)
        {
            request.Content = RequestContent.Create(body);
            request.Headers.SetValue("Content-Type", KeyValueMediaType + "; charset=utf-8");
        }

        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return message;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The pipeline retried already: a connection failure, a timeout, or all of them (AggregateException).
            message.Dispose();
            throw new AppConfigurationException(null, "App Configuration did not answer.", exception);
        }
    }

    private static void EnsureSuccess(Response response)
    {
        if (response.Status is >= 200 and < 300)
        {
            return;
        }

        var detail = response.Content.ToString();
        throw new AppConfigurationException(response.Status, $"App Configuration answered {response.Status}: {(detail.Length <= 300 ? detail : detail[..300])}");
    }

    private static T Read<T>(Response response) =>
        JsonSerializer.Deserialize<T>(response.Content.ToMemory().Span, Json)
            ?? throw new AppConfigurationException(response.Status, "App Configuration answered an empty body.");

    /// <summary>
    /// One key: no <c>label</c> parameter for the null label ("if omitted, it implies a key-value without a
    /// label"), as the Azure SDKs send it; <c>%00</c> is for list filters only.
    /// </summary>
    private static string KeyPath(string key, string label) =>
        label.Length == 0
            ? $"/kv/{Uri.EscapeDataString(key)}?api-version={ApiVersion}"
            : $"/kv/{Uri.EscapeDataString(key)}?label={Uri.EscapeDataString(label)}&api-version={ApiVersion}";

    /// <summary>"" means the null label, written <c>%00</c> in a list filter.</summary>
    private static string LabelFilter(string label) => label.Length == 0 ? "%00" : Uri.EscapeDataString(EscapeFilter(label));

    /// <summary>Filters reserve <c>* \ ,</c>: escape them with a backslash.</summary>
    private static string EscapeFilter(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '*' or '\\' or ',')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string Quote(string etag) => etag.StartsWith('"') || etag == "*" ? etag : $"\"{etag}\"";
}
