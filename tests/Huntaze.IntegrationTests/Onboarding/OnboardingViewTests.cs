using System.Net;
using Huntaze.IntegrationTests.Infrastructure;
using static Huntaze.IntegrationTests.Onboarding.OnboardingApi;

namespace Huntaze.IntegrationTests.Onboarding;

[Collection(OnboardingTestGroup.Name)]
public sealed class OnboardingViewTests(OnboardingHostFixture host)
{
    private static async Task<string[]> StepIdsAsync(OnboardingApi api)
    {
        using var response = await api.GetViewAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        return [.. body.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
    }

    [Fact]
    public async Task GetView_GermanCreator_OffersImpressumNotMentionsLegales()
    {
        using var api = host.Api(HostFixture.NewUserId(), "DE");

        var ids = await StepIdsAsync(api);

        Assert.Contains("de_impressum", ids);
        Assert.DoesNotContain("fr_mentions_legales", ids);
    }

    [Fact]
    public async Task GetView_FrenchCreator_OffersMentionsLegalesNotImpressum()
    {
        using var api = host.Api(HostFixture.NewUserId(), "FR");

        var ids = await StepIdsAsync(api);

        Assert.Contains("fr_mentions_legales", ids);
        Assert.DoesNotContain("de_impressum", ids);
    }

    [Fact]
    public async Task GetView_UsCreator_OffersNoLegalStep()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        var ids = await StepIdsAsync(api);

        Assert.Equal(["creator_assessment", "goal_selection", "connect_platforms", "ai_assistant_setup", "setup_payouts", "invite_team"], ids);
    }

    [Fact]
    public async Task GetView_CallerWithoutUserRole_DoesNotOfferUserOnlyStep()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US", "support");

        var ids = await StepIdsAsync(api);

        Assert.DoesNotContain("invite_team", ids);
    }

    [Fact]
    public async Task GetView_FlagOff_DoesNotOfferAutopilotStep()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        var ids = await StepIdsAsync(api);

        Assert.DoesNotContain("enable_autopilot", ids);
    }

    [Fact]
    public async Task GetView_Unchanged_Returns304ForItsETag()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        using var first = await api.GetViewAsync();

        using var second = await api.GetViewAsync(ETagOf(first));

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(ETagOf(first), ETagOf(second));
    }

    [Fact]
    public async Task GetView_WeakFormOfItsETag_Returns304()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        using var first = await api.GetViewAsync();

        using var second = await api.GetViewAsync("W/" + ETagOf(first));

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task GetView_ChangedSinceETag_Returns200()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        using var first = await api.GetViewAsync();
        await api.CompleteAsync("creator_assessment");

        using var second = await api.GetViewAsync(ETagOf(first));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task GetView_OneStepCompleted_ReportsWeightedProgressAndNextStep()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        await api.CompleteAsync("creator_assessment");

        using var response = await api.GetViewAsync();

        var body = await JsonAsync(response);
        var progress = body.GetProperty("progress");
        // Required 10+10+20+20+15 plus optional invite_team 5 = 80; creator_assessment weighs 10.
        Assert.Equal((12, 10, 80), (progress.GetProperty("percent").GetInt32(), progress.GetProperty("completedWeight").GetInt32(), progress.GetProperty("totalWeight").GetInt32()));
        Assert.Equal("goal_selection", body.GetProperty("nextStepId").GetString());
    }

    [Fact]
    public async Task GetView_OptionalStepSkipped_LeavesItOutOfTotal()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        await api.CompleteAsync("creator_assessment");
        using (var skip = await api.PatchAsync("invite_team", new { status = "skipped" }, "\"step-0\""))
        {
            Assert.Equal(HttpStatusCode.OK, skip.StatusCode);
        }

        using var response = await api.GetViewAsync();

        var progress = (await JsonAsync(response)).GetProperty("progress");
        Assert.Equal((75, 1), (progress.GetProperty("totalWeight").GetInt32(), progress.GetProperty("skipped").GetInt32()));
    }

    [Fact]
    public async Task GetView_PrerequisiteOpen_ReportsBlockedBy()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var response = await api.GetStepAsync("goal_selection");

        var body = await JsonAsync(response);
        Assert.Equal(["creator_assessment"], body.GetProperty("blockedBy").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal("\"step-0\"", ETagOf(response));
    }

    [Fact]
    public async Task Snooze_SevenDays_ViewReportsSnoozedUntil()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var snooze = await api.PostAsync("/api/onboarding/snooze", new { days = 7 });
        using var view = await api.GetViewAsync();

        Assert.Equal(HttpStatusCode.OK, snooze.StatusCode);
        var state = (await JsonAsync(view)).GetProperty("state");
        Assert.True(state.GetProperty("snoozed").GetBoolean());
        Assert.InRange(state.GetProperty("snoozedUntil").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(6.9), DateTimeOffset.UtcNow.AddDays(7.1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public async Task Snooze_DaysOutOfRange_Returns400(int days)
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var response = await api.PostAsync("/api/onboarding/snooze", new { days });

        await ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task DismissThenResume_WithStateETags_RoundTrips()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        using var dismissed = await api.PostAsync("/api/onboarding/dismiss", ifMatch: "\"state-0\"");
        Assert.Equal(HttpStatusCode.OK, dismissed.StatusCode);

        using var resumed = await api.PostAsync("/api/onboarding/resume", ifMatch: ETagOf(dismissed));

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.False((await JsonAsync(resumed)).GetProperty("dismissed").GetBoolean());
    }

    [Fact]
    public async Task Dismiss_WithoutIfMatch_Returns428()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var response = await api.PostAsync("/api/onboarding/dismiss");

        await ProblemAsync(response, HttpStatusCode.PreconditionRequired, "precondition-required");
    }

    [Fact]
    public async Task Gate_GermanCreatorWithoutImpressum_Returns409WithMissingStepAndHint()
    {
        using var api = host.Api(HostFixture.NewUserId(), "DE");
        await api.CompleteAsync("creator_assessment", "setup_payouts");

        using var response = await api.Client.GetAsync("/api/onboarding/gates/publish_offers", TestContext.Current.CancellationToken);

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict, "onboarding-gate-blocked");
        Assert.Equal("de_impressum", problem.GetProperty("hint").GetProperty("stepId").GetString());
        Assert.Equal("open_step", problem.GetProperty("hint").GetProperty("action").GetString());
    }

    [Fact]
    public async Task Gate_GermanCreatorWithAllSteps_Returns200Allowed()
    {
        using var api = host.Api(HostFixture.NewUserId(), "DE");
        await api.CompleteAsync("creator_assessment", "setup_payouts", "de_impressum");

        using var response = await api.Client.GetAsync("/api/onboarding/gates/publish_offers", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task AllRequiredStepsCompleted_View_ReportsCompleted()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        await api.CompleteAsync("creator_assessment", "goal_selection", "connect_platforms", "ai_assistant_setup", "setup_payouts");

        using var response = await api.GetViewAsync();

        Assert.True((await JsonAsync(response)).GetProperty("state").GetProperty("completed").GetBoolean());
    }
}
