using System.Net.Http.Headers;
using System.Text.Json;

namespace Huntaze.Cli.Rollout;

/// <summary>
/// Asks Azure Monitor which alerts are firing: the Alerts Management list API
/// (<c>GET …/providers/Microsoft.AlertsManagement/alerts?api-version=2019-05-05-preview&amp;monitorCondition=Fired…</c>),
/// following <c>nextLink</c>. An alert counts while its monitor condition is <c>Fired</c> and it is not
/// <c>Closed</c>; with names given, only alerts whose rule has one of them (the SLO alerts) count.
/// </summary>
public sealed class AlertGate(HttpClient http, Uri alertsUrl, string? bearerToken, IReadOnlyCollection<string> alertNames)
{
    private const int MaxPages = 20;

    /// <summary>The names of the firing alerts (empty when none); throws <see cref="RolloutException"/> when it cannot tell.</summary>
    public async Task<IReadOnlyList<string>> FiringAsync(CancellationToken cancellationToken)
    {
        var firing = new List<string>();
        Uri? next = alertsUrl;
        for (var page = 0; next is not null; page++)
        {
            if (page == MaxPages)
            {
                throw new RolloutException($"The alerts list has more than {MaxPages} pages; narrow the query.");
            }

            using var document = await GetAsync(next, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
            {
                throw new RolloutException($"The alerts endpoint {Redact(next)} answered without a 'value' list.");
            }

            firing.AddRange(value.EnumerateArray().Select(Firing).OfType<string>());
            next = root.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String && Uri.TryCreate(link.GetString(), UriKind.Absolute, out var uri) ? uri : null;
        }

        return firing.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private async Task<JsonDocument> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(bearerToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new RolloutException($"The alerts endpoint {Redact(url)} answered {(int)response.StatusCode}.");
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new RolloutException($"The alerts endpoint {Redact(url)} could not be read: {e.Message}");
        }
    }

    /// <summary>The rule name of a firing alert, or null when the alert does not count.</summary>
    private string? Firing(JsonElement alert)
    {
        if (!alert.TryGetProperty("properties", out var properties) || !properties.TryGetProperty("essentials", out var essentials))
        {
            return null;
        }

        var condition = Text(essentials, "monitorCondition");
        var state = Text(essentials, "alertState");
        if (!string.Equals(condition, "Fired", StringComparison.OrdinalIgnoreCase) || string.Equals(state, "Closed", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // essentials.alertRule is the rule's resource id in the Alerts Management API (a bare name in the common
        // alert schema); the rule name is its last segment.
        var rule = Text(essentials, "alertRule") ?? Text(alert, "name") ?? "(unnamed alert)";
        var name = rule.TrimEnd('/').Split('/')[^1];
        return alertNames.Count == 0 || alertNames.Contains(name, StringComparer.OrdinalIgnoreCase) ? name : null;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The URL without its query (which may carry a subscription's filters) for messages.</summary>
    private static string Redact(Uri url) => url.GetLeftPart(UriPartial.Path);
}
