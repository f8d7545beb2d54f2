using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Huntaze.Cli.Tokens;

namespace Huntaze.Cli.Privacy;

/// <summary>An answer of the admin API: the status code and the JSON body (a problem when not successful).</summary>
public sealed record ApiAnswer(int Status, JsonElement Body)
{
    public bool Ok => Status is >= 200 and < 300;

    public string Describe() =>
        Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("detail", out var detail) ? $"{Status}: {detail.GetString()}" : $"{Status}";
}

/// <summary>
/// The CLI talks to the admin API like any client, so RBAC, rate limits and the audit log apply to it:
/// a bearer token from <c>--token</c> or <c>HUNTAZE_TOKEN</c>, else a development token for the operator
/// (role dpo) signed with the key in local.settings.json.
/// </summary>
public sealed class AdminApi(HttpClient http) : IDisposable
{
    public static AdminApi Create(Uri baseUrl, string? token, string operatorId, HttpMessageHandler? handler = null)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = baseUrl;
        http.Timeout = TimeSpan.FromSeconds(100);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? DevelopmentToken(operatorId));
        return new AdminApi(http);
    }

    public Task<ApiAnswer> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<ApiAnswer> PostAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) }, cancellationToken);

    /// <summary>Streams a download to <paramref name="path"/>; the answer's body is empty on success.</summary>
    public async Task<ApiAnswer> DownloadAsync(string url, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return new ApiAnswer((int)response.StatusCode, await ReadAsync(response, cancellationToken).ConfigureAwait(false));
        }

        var file = File.Create(path);
        await using (file.ConfigureAwait(false))
        {
            await response.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }

        return new ApiAnswer((int)response.StatusCode, default);
    }

    public void Dispose() => http.Dispose();

    private async Task<ApiAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return new ApiAnswer((int)response.StatusCode, await ReadAsync(response, cancellationToken).ConfigureAwait(false));
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string DevelopmentToken(string operatorId)
    {
        var path = LocalSettings.Find(Directory.GetCurrentDirectory())
            ?? throw new InvalidOperationException("No token: pass --token, set HUNTAZE_TOKEN, or run from a checkout with local.settings.json (development).");
        var values = LocalSettings.ReadValues(path);
        return DevTokenFactory.Create(
            new DevTokenRequest(operatorId, ["dpo"], null, values.GetValueOrDefault("Auth__Issuer") ?? "", values.GetValueOrDefault("Auth__Audience") ?? "",
                values.GetValueOrDefault("Auth__DevelopmentSigningKey") ?? "", TimeSpan.FromMinutes(30)),
            DateTimeOffset.UtcNow);
    }
}
