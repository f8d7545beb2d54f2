using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>
/// A small client for the App Configuration REST API (api-version 2023-11-01): list with label filter and
/// <c>@nextLink</c> paging, conditional reads and writes, <c>Sync-Token</c> round trip, and bounded retries
/// on 429 (<c>retry-after-ms</c>), 5xx, timeouts and connection failures. No SDK is served here.
/// </summary>
public sealed partial class AppConfigurationClient(
    HttpClient http,
    Uri endpoint,
    IAppConfigurationAuthenticator authenticator,
    AppConfigurationOptions options,
    TimeProvider time,
    ILogger<AppConfigurationClient> logger)
{
    public const string ApiVersion = "2023-11-01";
    public const string KeyValueMediaType = "application/vnd.microsoft.appconfig.kv+json";
    public const string KeySetMediaType = "application/vnd.microsoft.appconfig.kvset+json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public SyncTokens SyncTokens { get; } = new();

    public Uri Endpoint => endpoint;

    /// <summary>All settings whose key starts with <paramref name="keyPrefix"/> under one label ("" = no label).</summary>
    public async Task<IReadOnlyList<ConfigurationSetting>> ListAsync(string keyPrefix, string label, CancellationToken cancellationToken)
    {
        var items = new List<ConfigurationSetting>();
        var next = $"/kv?key={Uri.EscapeDataString(EscapeFilter(keyPrefix))}*&label={LabelFilter(label)}&api-version={ApiVersion}";
        while (next is not null)
        {
            using var response = await SendAsync(HttpMethod.Get, next, null, null, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            var page = await ReadAsync<ConfigurationSettingPage>(response, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            next = page.NextLink;
        }

        return items;
    }

    /// <summary>One key; <paramref name="ifNoneMatch"/> (an ETag) turns an unchanged key into <see cref="ReadOutcome.NotModified"/>.</summary>
    public async Task<ReadResult> GetAsync(string key, string label, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        var headers = ifNoneMatch is null ? null : new Dictionary<string, string> { ["If-None-Match"] = Quote(ifNoneMatch) };
        using var response = await SendAsync(HttpMethod.Get, KeyPath(key, label), null, headers, cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotModified:
                return new ReadResult(ReadOutcome.NotModified, null);
            case HttpStatusCode.NotFound:
                return new ReadResult(ReadOutcome.NotFound, null);
            default:
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                return new ReadResult(ReadOutcome.Found, await ReadAsync<ConfigurationSetting>(response, cancellationToken).ConfigureAwait(false));
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

        using var response = await SendAsync(HttpMethod.Put, KeyPath(key, label), body, headers, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<ConfigurationSetting>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string pathAndQuery, byte[]? body, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        var uri = new Uri(endpoint, pathAndQuery);
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
            TimeSpan? retryAfter = null;
            Exception? failure = null;
            try
            {
                using var request = await CreateRequestAsync(method, uri, body, headers, cancellationToken).ConfigureAwait(false);
                var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                SyncTokens.Update(response.Headers.TryGetValues(SyncTokens.HeaderName, out var sync) ? sync : []);
                if (!IsTransient(response.StatusCode) || attempt >= options.MaxRetries)
                {
                    return response;
                }

                retryAfter = RetryAfter(response);
                Log.Retrying(logger, method.Method, (int)response.StatusCode, attempt + 1);
                response.Dispose();
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failure = exception;
                Log.Retrying(logger, method.Method, 0, attempt + 1);
            }

            if (failure is not null && attempt >= options.MaxRetries)
            {
                throw new AppConfigurationException(null, $"App Configuration did not answer after {attempt + 1} attempts.", failure);
            }

            await Task.Delay(Backoff(attempt, retryAfter), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(
        HttpMethod method, Uri uri, byte[]? body, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(KeyValueMediaType));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(KeySetMediaType));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (SyncTokens.HeaderValue() is { } sync)
        {
            request.Headers.TryAddWithoutValidation(SyncTokens.HeaderName, sync);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(KeyValueMediaType) { CharSet = "utf-8" };
        }

        await authenticator.AuthenticateAsync(request, body ?? [], cancellationToken).ConfigureAwait(false);
        return request;
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var max = TimeSpan.FromSeconds(options.MaxDelaySeconds);
        if (retryAfter is { } asked)
        {
            return asked < max ? asked : max;
        }

        return Platform.Resilience.Backoff.Delay(attempt, TimeSpan.FromSeconds(options.BaseDelaySeconds), max);
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary><c>retry-after-ms</c> / <c>x-ms-retry-after-ms</c> (milliseconds), else <c>Retry-After</c> (seconds).</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        foreach (var name in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (response.Headers.TryGetValues(name, out var values) &&
                double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
            {
                return TimeSpan.FromMilliseconds(ms);
            }
        }

        return response.Headers.RetryAfter?.Delta;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        throw new AppConfigurationException(status, $"App Configuration answered {status}: {Truncate(detail)}");
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new AppConfigurationException((int)response.StatusCode, "App Configuration answered an empty body.");
        }
    }

    private static string KeyPath(string key, string label) =>
        $"/kv/{Uri.EscapeDataString(key)}?label={LabelFilter(label)}&api-version={ApiVersion}";

    /// <summary>"" means the null label, written <c>%00</c>.</summary>
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

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300];

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "App Configuration {Method} answered {Status} (0 = no answer); retry {Attempt}.")]
        public static partial void Retrying(ILogger logger, string method, int status, int attempt);
    }
}
