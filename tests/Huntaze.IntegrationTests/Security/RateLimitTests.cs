using System.Net;
using System.Net.Http.Json;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Platform;

namespace Huntaze.IntegrationTests.Security;

/// <summary>The distributed limiter through the host: step-writes is 20 per minute per user.</summary>
public sealed class RateLimitTests(HostFixture fixture)
{
    private const string Write = "/api/test/step-write";

    [Fact]
    public async Task StepWrites_51ConcurrentFromOneUser_AtMost20Admitted()
    {
        await WindowHeadroomAsync();
        using var client = fixture.CreateClient(HostFixture.NewUserId());

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 51).Select(_ => client.PostAsync(Write, JsonContent.Create(new { }), TestContext.Current.CancellationToken)));
        stopwatch.Stop();

        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.NoContent);
        var limited = responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        TestContext.Current.TestOutputHelper?.WriteLine($"51 concurrent step-writes: {admitted} admitted, {limited} limited in {stopwatch.ElapsedMilliseconds} ms; statuses {string.Join(",", responses.GroupBy(r => (int)r.StatusCode).Select(g => $"{g.Key}x{g.Count()}"))}");
        Assert.InRange(admitted, 1, 20);
        Assert.Equal(51, admitted + limited);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task StepWrites_TwoHostsSharingStorage_ShareOneBudget()
    {
        await WindowHeadroomAsync();
        await using var second = await fixture.StartSecondHostAsync();
        var token = HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["user"]);
        using var a = fixture.CreateClient();
        using var b = second.CreateClient();
        a.DefaultRequestHeaders.Authorization = new("Bearer", token);
        b.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? a : b).PostAsync(Write, JsonContent.Create(new { }), TestContext.Current.CancellationToken)));

        Assert.InRange(responses.Count(r => r.StatusCode == HttpStatusCode.NoContent), 1, 20);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task StepWrites_OverLimit_Returns429WithRetryAfterAndRateLimitHeaders()
    {
        await WindowHeadroomAsync();
        using var client = fixture.CreateClient(HostFixture.NewUserId());
        for (var i = 0; i < 20; i++)
        {
            using var ok = await client.PostAsync(Write, JsonContent.Create(new { }), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
            Assert.Equal($"\"step-writes\";r={19 - i};t=", ok.Headers.GetValues("RateLimit").Single()[..($"\"step-writes\";r={19 - i};t=".Length)]);
        }

        using var response = await client.PostAsync(Write, JsonContent.Create(new { }), TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.TooManyRequests, "rate-limited");
        var retryAfter = response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("\"step-writes\";q=20;w=60", response.Headers.GetValues("RateLimit-Policy").Single());
        Assert.Equal($"\"step-writes\";r=0;t={retryAfter}", response.Headers.GetValues("RateLimit").Single());
    }

    [Fact]
    public async Task StoreUnreachable_WritesFailClosedReadsFailOpen()
    {
        // A host whose storage is a closed port: the limiter cannot reach its counters.
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;",
        });
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["user"]));

        using var write = await client.PostAsync(Write, JsonContent.Create(new { }), TestContext.Current.CancellationToken);
        using var read = await client.GetAsync("/api/csrf", TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(write, HttpStatusCode.ServiceUnavailable, "dependency-unavailable");
        Assert.NotNull(write.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    /// <summary>The limit is per wall-clock minute: start a burst with enough of the window left to finish in it.</summary>
    private static async Task WindowHeadroomAsync()
    {
        var second = DateTimeOffset.UtcNow.Second;
        if (second > 45)
        {
            await Task.Delay(TimeSpan.FromSeconds(61 - second), TestContext.Current.CancellationToken);
        }
    }
}
