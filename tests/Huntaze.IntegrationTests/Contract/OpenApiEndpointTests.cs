using System.Net;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Configuration;

namespace Huntaze.IntegrationTests.Contract;

/// <summary>GET /api/openapi.json: anonymous, cacheable, conditional, and the committed document.</summary>
public sealed class OpenApiEndpointTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenApiJson_Anonymous_ServesTheCommittedDocumentWithCacheHeaders()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync("/api/openapi.json", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var cache = response.Headers.CacheControl!;
        Assert.True(cache.Public && cache.MustRevalidate && cache.MaxAge == TimeSpan.FromHours(1), $"Cache-Control: {cache}");
        Assert.NotNull(response.Headers.ETag);
        var committed = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.FindRoot()!, "docs", "api", "openapi.json"), Ct);
        Assert.Equal(committed, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task OpenApiJson_IfNoneMatchCurrent_Returns304WithoutBody()
    {
        using var client = fixture.CreateClient();
        using var first = await client.GetAsync("/api/openapi.json", Ct);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/openapi.json");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync(Ct));
    }
}
