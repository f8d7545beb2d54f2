using System.Net;
using Huntaze.IntegrationTests.Infrastructure;
using static Huntaze.IntegrationTests.Onboarding.OnboardingApi;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>The kill switch through the flags admin API, on a host with storage of its own (the switch is global).</summary>
[Collection(OnboardingTestGroup.Name)]
public sealed class KillSwitchTests(OnboardingHostFixture host)
{
    [Fact]
    public async Task KillSwitchActive_GuideDisabledAndWritesRefusedWith503()
    {
        var overrides = host.Overrides();
        overrides["Storage__TablePrefix"] = "ks" + Guid.NewGuid().ToString("N")[..8];
        await using var app = await host.Root.StartSecondHostAsync(overrides);
        await app.WaitUntilOnboardingEnabledAsync();
        using var admin = new OnboardingApi(OnboardingHostFixture.ClientFor(app, HostFixture.NewUserId("admin"), "US", "admin"));
        using var user = new OnboardingApi(OnboardingHostFixture.ClientFor(app, HostFixture.NewUserId(), "US"));

        using (var set = await admin.PostAsync("/api/admin/kill-switch", new { active = true, reason = "incident-42" }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        await Eventually.HoldsAsync(async () =>
        {
            using var view = await user.GetViewAsync();
            var body = await JsonAsync(view);
            return view.StatusCode == HttpStatusCode.OK && !body.GetProperty("enabled").GetBoolean();
        }, TimeSpan.FromSeconds(15), "the guide reports itself disabled");
        using var write = await user.PatchAsync("creator_assessment", new { status = "in_progress" }, "\"step-0\"");

        await ProblemAsync(write, HttpStatusCode.ServiceUnavailable, "onboarding-disabled");
        Assert.NotNull(write.Headers.RetryAfter);
    }
}
