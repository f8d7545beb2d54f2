using System.Text.Json;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using static Huntaze.UnitTests.Onboarding.OnboardingHarness;

namespace Huntaze.UnitTests.Onboarding;

public sealed class OnboardingServiceTests
{
    private readonly OnboardingHarness _h = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<StepView> Complete(string stepId, string market = "US") =>
        _h.Writes.PatchAsync(User(market), stepId, new StepPatchRequest(StepStatus.Completed, null, null), IfMatch("\"step-0\""), null, null, Ct);

    [Fact]
    public async Task GetViewAsync_Unchanged_ReturnsSameETag()
    {
        var first = await _h.Guide.GetViewAsync(User(), Ct);
        var second = await _h.Guide.GetViewAsync(User(), Ct);

        Assert.Equal(first.ETag, second.ETag);
    }

    [Fact]
    public async Task GetViewAsync_AfterWrite_ChangesETag()
    {
        var before = await _h.Guide.GetViewAsync(User(), Ct);
        await Complete("assessment");

        var after = await _h.Guide.GetViewAsync(User(), Ct);

        Assert.NotEqual(before.ETag, after.ETag);
    }

    [Fact]
    public async Task GetViewAsync_EachRequest_RecordsOneGuideViewed()
    {
        await _h.Guide.GetViewAsync(User(), Ct);
        await _h.Guide.GetViewAsync(User(), Ct);

        Assert.Equal(2, _h.Events.Events.Count(e => e.Kind == OnboardingEventKind.GuideViewed));
    }

    [Fact]
    public async Task GetViewAsync_Enabled_PreparesTheViewEventBeforeReadingTheGuide()
    {
        var readsWhenPrepared = new List<int>();
        _h.Events.OnPrepare = user => readsWhenPrepared.Add(_h.Store.Reads);

        await _h.Guide.GetViewAsync(User(), Ct);

        // The filters' reads (the user's consent) start before the guide's, so they run beside it.
        Assert.Equal([0], readsWhenPrepared);
        Assert.Equal(1, _h.Store.Reads);
    }

    [Fact]
    public async Task GetViewAsync_KillSwitchActive_ReturnsDisabledWithReason()
    {
        _h.KillSwitch.Current = new(true, "maintenance", null);

        var view = await _h.Guide.GetViewAsync(User(), Ct);

        Assert.Equal(new GuideDisabledView(false, "maintenance"), view.Value);
    }

    [Fact]
    public async Task GetViewAsync_FlagOff_ReturnsDisabledNotEnabled()
    {
        _h.Flags.Enabled.Remove(FeatureNames.Onboarding);

        var view = await _h.Guide.GetViewAsync(User(), Ct);

        Assert.Equal(new GuideDisabledView(false, OnboardingAccess.NotEnabledReason), view.Value);
    }

    [Fact]
    public async Task CheckGateAsync_MarketStepMissing_Throws409WithHint()
    {
        await Complete("assessment", "DE");
        await Complete("goals", "DE");

        var problem = await Assert.ThrowsAsync<ProblemException>(() => _h.Guide.CheckGateAsync(User("DE"), "publish_offers", Ct));

        Assert.Equal(ProblemTypes.GateBlocked, problem.Type);
        Assert.Contains("\"stepId\":\"impressum\"", JsonSerializer.Serialize(problem.Extensions["hint"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckGateAsync_MarketWithoutLegalStep_Allows()
    {
        await Complete("assessment");
        await Complete("goals");

        await _h.Guide.CheckGateAsync(User("US"), "publish_offers", Ct);
    }

    [Fact]
    public async Task CheckGateAsync_UnknownGate_Throws404()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => _h.Guide.CheckGateAsync(User(), "launch_rockets", Ct));

        Assert.Equal(404, problem.Type.Status);
    }

    [Fact]
    public async Task SnoozeAsync_SevenDays_HidesUntilThen()
    {
        var state = await _h.State.SnoozeAsync(User(), 7, null, Ct);

        Assert.Equal(_h.Time.GetUtcNow().AddDays(7), state.SnoozedUntil);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public async Task SnoozeAsync_DaysOutOfRange_Throws400(int days)
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => _h.State.SnoozeAsync(User(), days, null, Ct));

        Assert.Equal(400, problem.Type.Status);
    }

    [Fact]
    public async Task DismissAsync_StaleStateETag_Throws412()
    {
        await _h.State.SnoozeAsync(User(), 1, null, Ct);

        var problem = await Assert.ThrowsAsync<ProblemException>(() => _h.State.DismissAsync(User(), IfMatch("\"state-0\""), null, Ct));

        Assert.Equal(412, problem.Type.Status);
    }

    [Fact]
    public async Task ResumeAsync_AfterDismiss_ClearsDismissed()
    {
        var dismissed = await _h.State.DismissAsync(User(), IfMatch("\"state-0\""), null, Ct);

        var resumed = await _h.State.ResumeAsync(User(), IfMatch(dismissed.ETag), null, Ct);

        Assert.False(resumed.Dismissed);
        Assert.Equal(2, resumed.Version);
    }
}
