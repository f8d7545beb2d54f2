using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// A browser as the consent API sees it: it keeps the consent cookie the API sets (and drops it when cleared),
/// sends the allowed Origin, fetches a CSRF token before each write, and may be signed in (a bearer token).
/// </summary>
public sealed class ConsentClient(LocalHostInstance host) : IDisposable
{
    public const string Current = ConsentOptions.DefaultPolicyVersion;

    /// <summary>What the API hashes into each record, as a browser would send it.</summary>
    public const string UserAgent = "Mozilla/5.0 (X11; Linux x86_64) HuntazeConsentTests/1.0";
    private readonly HttpClient _client = host.CreateClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The consent id the browser holds (null: none).</summary>
    public string? ConsentId { get; set; }

    /// <summary>Signed in as this user (a bearer token) when set.</summary>
    public string? UserId { get; set; }

    /// <summary>The raw <c>Set-Cookie</c> of the consent cookie in the last response, if any.</summary>
    public string? LastSetCookie { get; private set; }

    public Task<HttpResponseMessage> GetAsync(string path = "/api/consent") => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public async Task<HttpResponseMessage> PutRawAsync(HttpContent content, bool csrf = true, string? origin = HostFixture.AllowedOrigin, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/consent") { Content = content };
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        if (token is not null || csrf)
        {
            request.Headers.TryAddWithoutValidation("X-CSRF-Token", token ?? await CsrfTokenAsync());
        }

        return await SendAsync(request);
    }

    public Task<HttpResponseMessage> PutAsync(object body, bool csrf = true, string? origin = HostFixture.AllowedOrigin, string? token = null) =>
        PutRawAsync(new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), csrf, origin, token);

    /// <summary>Records a choice from the banner under <paramref name="policy"/>; returns the answer (200 asserted).</summary>
    public async Task<JsonElement> ChooseAsync(bool analytics, bool marketing = false, bool personalization = false, string policy = Current)
    {
        using var response = await PutAsync(Body(analytics, marketing, personalization, policy));
        var json = await PrivacyApi.JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {json}");
        return json;
    }

    public async Task<JsonElement> StateAsync()
    {
        using var response = await GetAsync();
        var json = await PrivacyApi.JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {json}");
        return json;
    }

    public async Task<JsonElement[]> HistoryAsync()
    {
        using var response = await GetAsync("/api/consent/history");
        var json = await PrivacyApi.JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {json}");
        return [.. json.GetProperty("records").EnumerateArray()];
    }

    public async Task<string> CsrfTokenAsync()
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/csrf"));
        return (await PrivacyApi.JsonAsync(response)).GetProperty("token").GetString()!;
    }

    public static object Body(bool analytics, bool marketing = false, bool personalization = false, string policy = Current, string source = "banner") =>
        new { policyVersion = policy, source, categories = new { necessary = true, analytics, marketing, personalization } };

    public void Dispose() => _client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            if (ConsentId is not null)
            {
                request.Headers.TryAddWithoutValidation("Cookie", $"{ConsentCookie.Name}={ConsentId}");
            }

            if (UserId is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(UserId, "FR", ["user"]));
            }

            var response = await _client.SendAsync(request, Ct);
            LastSetCookie = response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.FirstOrDefault(c => c.StartsWith(ConsentCookie.Name + "=", StringComparison.Ordinal)) : null;
            if (LastSetCookie is { } set)
            {
                var value = set[(ConsentCookie.Name.Length + 1)..].Split(';')[0];
                ConsentId = set.Contains("Max-Age=0", StringComparison.Ordinal) || value.Length == 0 ? null : value;
            }

            return response;
        }
    }
}
