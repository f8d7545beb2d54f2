using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.UnitTests.Onboarding;

/// <summary>The guide entity (ADR 0018): what is written is what is read back, to the byte of the step's answers.</summary>
public sealed class ProgressEntitiesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 22, 30, 15, 123, TimeSpan.Zero);

    private static ProgressSnapshot Guide(params StepProgress[] steps) =>
        new("u1", new Stored<OnboardingState>(new OnboardingState(3, T0, T0.AddDays(2), null, T0, 7), null), steps.ToDictionary(s => s.StepId, s => new Stored<StepProgress>(s, null)))
        {
            Counters = new Dictionary<string, Stored<WindowCounter>> { ["step-writes"] = new(new WindowCounter(29_664_000, 4), null) },
        };

    [Fact]
    public void ToSnapshot_WhatFromWrote_GivesEveryPartBackWithTheEntityETag()
    {
        var answers = "{ \"company\" : \"Müller & Söhne \\u00e9\", \"lines\": [1, 2.50, null], \"deep\": {\"a\": {\"b\": true}} }";
        var step = new StepProgress("de_impressum", StepStatus.Completed, 5, 2, answers, T0, T0.AddMinutes(1), T0.AddMinutes(2), "key-1");
        var empty = StepProgress.Empty("goal_selection") with { Revision = 7 };
        var entity = ProgressEntities.From(Guide(step, empty));
        entity.ETag = new ETag("W/\"datetime'2026-12-01T22%3A30%3A15Z'\"");
        entity[Huntaze.Functions.Platform.Storage.TableWriteBatch.WriteIdProperty] = "w2 w1";

        var read = ProgressEntities.ToSnapshot("u1", entity);

        Assert.Equal(new OnboardingState(3, T0, T0.AddDays(2), null, T0, 7), read.State.Value);
        Assert.Equal(step, read.Steps["de_impressum"].Value);
        Assert.Equal(answers, read.Steps["de_impressum"].Value.Data);
        Assert.Equal(empty, read.Steps["goal_selection"].Value);
        Assert.Equal(new WindowCounter(29_664_000, 4), read.Counters["step-writes"].Value);
        Assert.All(new ETag?[] { read.ETag, read.State.ETag, read.Steps["de_impressum"].ETag, read.Counters["step-writes"].ETag }, e => Assert.Equal(entity.ETag, e));
        Assert.Equal("w2 w1", read.WriteIds);
        Assert.Equal("guide:u1", entity.RowKey);
    }

    [Fact]
    public void ToSnapshot_NoEntity_IsAnEmptyGuideWithoutETag()
    {
        var read = ProgressEntities.ToSnapshot("u1", null);

        Assert.Null(read.ETag);
        Assert.Empty(read.Steps);
        Assert.Equal(OnboardingState.Empty, read.State.Value);
    }

    [Fact]
    public void ToSnapshot_StepWithAnUnknownStatus_ReadsAsNeedsReview()
    {
        var entity = new TableEntity("u1", ProgressEntities.GuideKey("u1")) { ["Revision"] = 1, ["Step_ai"] = "{\"status\":\"Archived\",\"revision\":2}" };

        Assert.Equal(StepStatus.NeedsReview, ProgressEntities.ToSnapshot("u1", entity).Steps["ai"].Value.Status);
    }

    [Fact]
    public void ApplyTo_StepStateAndCounter_ReplaceTheirsAndKeepTheRest()
    {
        var kept = StepProgress.Empty("kept") with { Revision = 2, Status = StepStatus.Completed };
        var changed = StepProgress.Empty("changed") with { Revision = 1 };
        var basis = Guide(kept, changed) with { ETag = new ETag("e1") };
        var commit = new ProgressCommit(new Stored<StepProgress>(changed with { Revision = 2 }, null), new Stored<OnboardingState>(OnboardingState.Empty with { Revision = 4 }, null))
        {
            Counted = ("step-writes", new Stored<WindowCounter>(new WindowCounter(29_664_000, 5), null)),
        };

        var next = commit.ApplyTo(basis)!;

        Assert.Equal([kept, changed with { Revision = 2 }], next.Steps.Values.Select(s => s.Value).OrderByDescending(s => s.StepId));
        Assert.Equal(4, next.State.Value.Revision);
        Assert.Equal(5, next.Counters["step-writes"].Value.Count);
        Assert.Equal(basis.ETag, next.ETag);
    }

    [Fact]
    public void ApplyTo_ResetRemovingEverySteps_KeepsTheStateItPuts()
    {
        var basis = Guide(StepProgress.Empty("a"), StepProgress.Empty("b"));
        var commit = new ProgressCommit(null, basis.State with { Value = basis.State.Value with { Revision = 9 } }) { Removed = [.. basis.Steps.Values] };

        var next = commit.ApplyTo(basis)!;

        Assert.Empty(next.Steps);
        Assert.Equal(9, next.State.Value.Revision);
        Assert.False(commit.RemovesGuide);
    }

    [Fact]
    public void ApplyTo_RemovingTheState_RemovesTheGuide()
    {
        var basis = Guide(StepProgress.Empty("a")) with { ETag = new ETag("e1") };
        var commit = new ProgressCommit(null, null) { Removed = [.. basis.Steps.Values], RemovedState = basis.ETag, RemovedCounters = basis.Counters };

        Assert.Null(commit.ApplyTo(basis));
        Assert.True(commit.RemovesGuide);
        Assert.True(commit.ChangesGuide);
    }

    [Fact]
    public void ChangesGuide_CounterAlone_IsFalse()
    {
        var commit = new ProgressCommit(null, null) { Counted = ("step-writes", new Stored<WindowCounter>(new WindowCounter(1, 1), null)) };

        Assert.False(commit.ChangesGuide);
    }
}
