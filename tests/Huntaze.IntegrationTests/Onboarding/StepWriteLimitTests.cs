using System.Net;
using Huntaze.IntegrationTests.Infrastructure;
using static Huntaze.IntegrationTests.Onboarding.OnboardingApi;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>
/// step-writes (20 per minute) counted in the user's own partition, in the same transaction as the write
/// (ADR 0007), through a host with the production limit.
/// </summary>
[Collection(OnboardingTestGroup.Name)]
public sealed class StepWriteLimitTests(OnboardingHostFixture host)
{
    [Fact]
    public async Task Patch_OneUserConcurrently_NeverMoreThanTheLimitCounted()
    {
        await using var app = await StartWithProductionLimitAsync();
        using var api = new OnboardingApi(OnboardingHostFixture.ClientFor(app, HostFixture.NewUserId(), "US"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => api.PatchAsync("creator_assessment", new { data = new { n = i } }, "\"step-0\"")));
        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        // One write wins; every other answer that is not a refusal for the budget (429) or for contention (503)
        // was counted, so at most the limit of them.
        var summary = string.Join(",", statuses.GroupBy(s => s).Select(g => $"{g.Key}x{g.Count()}"));
        Assert.All(statuses, s => Assert.True(s is 200 or 412 or 429 or 503, summary));
        Assert.True(statuses.Count(s => s == 200) == 1, summary);
        Assert.True(statuses.Count(s => s is 200 or 412) <= 20, summary);
    }

    [Fact]
    public async Task Patch_TwentyFirstWriteInAWindow_Returns429WithRetryAfterAndRateLimitHeaders()
    {
        await using var app = await StartWithProductionLimitAsync();
        using var api = new OnboardingApi(OnboardingHostFixture.ClientFor(app, HostFixture.NewUserId(), "US"));
        var etag = "\"step-0\"";
        for (var i = 0; i < 20; i++)
        {
            using var ok = await api.PatchAsync("creator_assessment", new { data = new { n = i } }, etag);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.StartsWith($"\"step-writes\";r={19 - i};t=", ok.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
            etag = ETagOf(ok);
        }

        using var refused = await api.PatchAsync("creator_assessment", new { data = new { n = 20 } }, etag);

        await ProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal("\"step-writes\";q=20;w=60", refused.Headers.GetValues("RateLimit-Policy").Single());
        using var read = await api.GetStepAsync("creator_assessment");
        Assert.Equal(etag, ETagOf(read));
    }

    /// <summary>A host of its own with the production step-writes limit, once enough of the window is left.</summary>
    private async Task<LocalHostInstance> StartWithProductionLimitAsync()
    {
        await WindowHeadroomAsync();
        var overrides = host.Overrides("Limits" + Guid.NewGuid().ToString("N")[..8]);
        overrides.Remove("RateLimits__step-writes__Limit");
        var app = await host.Root.StartSecondHostAsync(overrides);
        try
        {
            await app.WaitUntilOnboardingEnabledAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The limit is per wall-clock minute: start with enough of the window left to finish in it.</summary>
    private static async Task WindowHeadroomAsync()
    {
        var second = DateTimeOffset.UtcNow.Second;
        if (second > 40)
        {
            await Task.Delay(TimeSpan.FromSeconds(61 - second), TestContext.Current.CancellationToken);
        }
    }
}
