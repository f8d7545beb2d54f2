using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Platform;

namespace Huntaze.IntegrationTests.Security;

/// <summary>Cookie mode: CSRF token, Origin allowlist and JSON-only bodies on state-changing requests; CORS.</summary>
public sealed class CsrfAndCorsTests(HostFixture fixture)
{
    private const string Write = "/api/test/step-write";

    [Fact]
    public async Task CookiePost_WithoutCsrfToken_Returns403()
    {
        var session = Session();
        using var client = fixture.CreateClient();

        using var response = await client.SendAsync(Post(session, HostFixture.AllowedOrigin, csrf: null), TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "csrf");
    }

    [Fact]
    public async Task CookiePost_ForeignOrigin_Returns403()
    {
        var session = Session();
        using var client = fixture.CreateClient();
        var csrf = await CsrfTokenAsync(client, session);

        using var response = await client.SendAsync(Post(session, "https://evil.example", csrf), TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "csrf");
    }

    [Fact]
    public async Task CookiePost_TokenOfAnotherSession_Returns403()
    {
        using var client = fixture.CreateClient();
        var csrf = await CsrfTokenAsync(client, Session());

        using var response = await client.SendAsync(Post(Session(), HostFixture.AllowedOrigin, csrf), TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "csrf");
    }

    [Fact]
    public async Task CookiePost_FormBody_Returns415()
    {
        var session = Session();
        using var client = fixture.CreateClient();
        var csrf = await CsrfTokenAsync(client, session);

        using var response = await client.SendAsync(Post(session, HostFixture.AllowedOrigin, csrf, new StringContent("a=1", Encoding.UTF8, "application/x-www-form-urlencoded")), TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task CookiePost_ValidTokenOriginAndJson_Succeeds()
    {
        var session = Session();
        using var client = fixture.CreateClient();
        var csrf = await CsrfTokenAsync(client, session);

        using var response = await client.SendAsync(Post(session, HostFixture.AllowedOrigin, csrf), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HostFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task BearerPost_WithoutCsrfToken_IsExempt()
    {
        using var client = fixture.CreateClient(HostFixture.NewUserId());

        using var response = await client.PostAsync(Write, JsonContent.Create(new { }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Preflight_AllowedOrigin_AnsweredWithCredentials()
    {
        using var client = fixture.CreateClient();

        using var response = await client.SendAsync(Preflight(HostFixture.AllowedOrigin), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HostFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.Contains("X-CSRF-Token", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preflight_ForeignOrigin_NoCorsHeaders()
    {
        using var client = fixture.CreateClient();

        using var response = await client.SendAsync(Preflight("https://evil.example"), TestContext.Current.CancellationToken);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static string Session() => HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["user"]);

    private static async Task<string> CsrfTokenAsync(HttpClient client, string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/csrf");
        request.Headers.Add("Cookie", "__Host-huntaze-session=" + session);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(body.RootElement.GetProperty("boundToSession").GetBoolean());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    private static HttpRequestMessage Post(string session, string origin, string? csrf, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Write) { Content = content ?? JsonContent.Create(new { }) };
        request.Headers.Add("Cookie", "__Host-huntaze-session=" + session);
        request.Headers.Add("Origin", origin);
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }

        return request;
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, Write);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-csrf-token");
        return request;
    }
}
