using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Huntaze.Cli.Backups;

/// <summary>The admin API as the operator's tool calls it: bearer token, JSON, problem details shown as they come.</summary>
public sealed class AdminApi(HttpClient http) : IDisposable
{
    public static AdminApi Create(Uri baseAddress, string token)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new AdminApi(http);
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) }, cancellationToken);

    public void Dispose() => http.Dispose();

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var detail = text.Length > 0 && text.TrimStart().StartsWith('{') && JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var d) ? d.GetString() : text;
                throw new AdminApiException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
            }

            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}

public sealed class AdminApiException(string message) : Exception(message)
{
    public AdminApiException()
        : this("The admin API refused the request.")
    {
    }

    public AdminApiException(string message, Exception innerException)
        : this(message + " " + innerException?.Message)
    {
    }
}
