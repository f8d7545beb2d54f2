using System.Net;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;
using static Huntaze.IntegrationTests.Onboarding.OnboardingApi;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>Storage down: reads and writes of the guide answer 503 with Retry-After, never 500 (its own Azurite, stopped mid-test).</summary>
public sealed class StorageOutageTests
{
    [Fact]
    public async Task Guide_StorageStopped_Returns503WithRetryAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        var azurite = await HostFixture.StartAzuriteAsync(ct);
        var settings = HostFixture.BaseSettings(azurite.ConnectionString, "outage");
        settings["Storage__MaxRetries"] = "1";
        await using var host = await LocalHostInstance.StartAsync(settings, ct);
        await host.WaitUntilOnboardingEnabledAsync();
        using var api = new OnboardingApi(OnboardingHostFixture.ClientFor(host, HostFixture.NewUserId(), "US"));
        // Storage answering first (a loaded Azurite may time out a request: that is a 503 too, so wait for a 200).
        await Eventually.HoldsAsync(async () =>
        {
            using var before = await api.GetViewAsync();
            return before.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(120), "the guide answers 200 while storage runs", TimeSpan.FromMilliseconds(200));

        await azurite.DisposeAsync();

        using var view = await api.GetViewAsync();
        using var step = await api.GetStepAsync("creator_assessment");
        using var gate = await api.Client.GetAsync("/api/onboarding/gates/publish_offers", ct);
        foreach (var response in new[] { view, step, gate })
        {
            await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "dependency-unavailable");
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{response.RequestMessage!.RequestUri} has no Retry-After");
        }
    }
}
