using System.Net;
using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Platform;

public sealed class RoutingTests(HostFixture fixture)
{
    [Fact]
    public async Task UnknownRoute_Any_Returns404ProblemJson()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync("/api/does-not-exist", TestContext.Current.CancellationToken);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task KnownRoute_WrongMethod_Returns405ProblemJson()
    {
        using var client = fixture.CreateClient();

        using var response = await client.DeleteAsync("/api/health", TestContext.Current.CancellationToken);

        await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Fact]
    public async Task RouteValue_NotConvertible_Returns4xxProblem()
    {
        using var client = fixture.CreateClient();

        using var response = await client.PostAsync("/api/test/fan/notanumber", null, TestContext.Current.CancellationToken);

        // The route constraint {count:int} rejects it before binding, as in the Functions host.
        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task RouteValue_UnconstrainedButNotConvertible_Returns400Problem()
    {
        using var client = fixture.CreateClient();

        using var bad = await client.GetAsync("/api/test/square/abc", TestContext.Current.CancellationToken);
        using var good = await client.GetAsync("/api/test/square/7", TestContext.Current.CancellationToken);

        await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "bad-request");
        Assert.Contains("49", await good.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorrelationId_ValidFromCaller_IsEchoed()
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-Correlation-ID", "abc.DEF_123-x");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("abc.DEF_123-x", response.Headers.GetValues("X-Correlation-ID").Single());
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("<script>")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task CorrelationId_Invalid_IsReplaced(string invalid)
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.TryAddWithoutValidation("X-Correlation-ID", invalid);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        var echoed = response.Headers.GetValues("X-Correlation-ID").Single();
        Assert.NotEqual(invalid, echoed);
        Assert.Matches("^[0-9a-f]{32}$", echoed);
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string slug)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal($"https://huntaze.com/problems/{slug}", body.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(response.Headers.GetValues("X-Correlation-ID").Single(), body.RootElement.GetProperty("correlationId").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("traceId").GetString()));
    }
}
