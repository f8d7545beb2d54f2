using Azure;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.UnitTests.Onboarding;

/// <summary>The rendered guide is reused only while the stored guide, the offered steps and the snooze are unchanged.</summary>
public sealed class GuideViewsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Render_NothingChanged_ReusesTheRendering()
    {
        var views = new GuideViews(_time);
        var offered = OnboardingHarness.TestCatalog.Steps;

        var first = views.Render(offered, Guide("e1"), _time.GetUtcNow());
        var second = views.Render([.. offered], Guide("e1"), _time.GetUtcNow());

        Assert.Same(first, second);
    }

    [Fact]
    public void Render_GuideWrittenSince_RendersAgain()
    {
        var views = new GuideViews(_time);
        var offered = OnboardingHarness.TestCatalog.Steps;
        var before = views.Render(offered, Guide("e1"), _time.GetUtcNow());

        var after = views.Render(offered, Guide("e2", status: StepStatus.Completed), _time.GetUtcNow());

        Assert.NotSame(before, after);
        Assert.NotEqual(before.ETag, after.ETag);
    }

    [Fact]
    public void Render_OtherStepsOffered_RendersAgain()
    {
        var views = new GuideViews(_time);
        var offered = OnboardingHarness.TestCatalog.Steps;
        var all = views.Render(offered, Guide("e1"), _time.GetUtcNow());

        var fewer = views.Render([.. offered.Take(2)], Guide("e1"), _time.GetUtcNow());

        Assert.NotEqual(all.ETag, fewer.ETag);
    }

    [Fact]
    public void Render_SnoozeRunsOut_RendersAgain()
    {
        var views = new GuideViews(_time);
        var offered = OnboardingHarness.TestCatalog.Steps;
        var snoozedUntil = _time.GetUtcNow().AddMinutes(1);
        var snoozed = views.Render(offered, Guide("e1", snoozedUntil: snoozedUntil), _time.GetUtcNow());

        _time.Advance(TimeSpan.FromMinutes(2));
        var awake = views.Render(offered, Guide("e1", snoozedUntil: snoozedUntil), _time.GetUtcNow());

        Assert.NotEqual(snoozed.ETag, awake.ETag);
        Assert.False(((GuideView)awake.Value).State.Snoozed);
    }

    [Fact]
    public void Render_GuideGone_NothingKept()
    {
        var views = new GuideViews(_time);
        var offered = OnboardingHarness.TestCatalog.Steps;
        var held = views.Render(offered, Guide("e1"), _time.GetUtcNow());

        views.Render(offered, ProgressSnapshot.Empty("u1"), _time.GetUtcNow());
        var again = views.Render(offered, Guide("e1"), _time.GetUtcNow());

        Assert.NotSame(held, again);
        Assert.Equal(held.ETag, again.ETag);
    }

    private ProgressSnapshot Guide(string etag, StepStatus status = StepStatus.InProgress, DateTimeOffset? snoozedUntil = null)
    {
        var now = _time.GetUtcNow();
        var step = new StepProgress("assessment", status, 1, 1, null, now, status == StepStatus.Completed ? now : null, now);
        var state = OnboardingState.Empty with { SnoozedUntil = snoozedUntil };
        return new ProgressSnapshot("u1", new Stored<OnboardingState>(state, new ETag(etag)), new Dictionary<string, Stored<StepProgress>> { ["assessment"] = new(step, new ETag(etag)) })
        {
            ETag = new ETag(etag),
        };
    }
}
