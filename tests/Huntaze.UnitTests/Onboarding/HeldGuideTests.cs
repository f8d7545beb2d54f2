using System.Diagnostics.Metrics;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using static Huntaze.UnitTests.Onboarding.OnboardingHarness;

namespace Huntaze.UnitTests.Onboarding;

/// <summary>
/// Changes decided over the guide this instance holds, without reading it first (ADR 0019), and what must not change
/// with it: a held guide that another instance has moved on from is never the basis of an answer.
/// </summary>
[Collection(HeldGuideTests.Group)]
public sealed class HeldGuideTests
{
    /// <summary>The conflict counter is static, so the test that counts it runs alone.</summary>
    public const string Group = "Held guides";

    private readonly OnboardingHarness _h = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StepPatchRequest Patch(StepStatus status) => new(status, null, null);

    private static Task<StepView> PatchAsync(StepWriteService writes, string stepId, StepStatus status, string etag) =>
        writes.PatchAsync(User(), stepId, Patch(status), IfMatch(etag), null, null, Ct);

    /// <summary>The same services over another instance of the app: the same stored guides, its own held ones.</summary>
    private (StepWriteService Writes, GuideStateService State) OtherInstance()
    {
        var store = _h.Store.AnotherInstance(new HeldGuides(_h.Time));
        return (new StepWriteService(_h.Access, store, _h.Events, _h.Time), new GuideStateService(_h.Access, store, _h.Events, _h.Time));
    }

    [Fact]
    public async Task PatchAsync_GuideHeldFromLastWrite_WritesWithoutReading()
    {
        var etag = (await PatchAsync(_h.Writes, "assessment", StepStatus.InProgress, "\"step-0\"")).ETag;
        var reads = _h.Store.Reads;

        for (var i = 0; i < 4; i++)
        {
            etag = (await PatchAsync(_h.Writes, "assessment", i % 2 == 0 ? StepStatus.Completed : StepStatus.InProgress, etag)).ETag;
        }

        Assert.Equal(1, reads);
        Assert.Equal(reads, _h.Store.Reads);
        Assert.Equal(5, _h.Store.Commits);
        Assert.Equal("\"step-5\"", etag);
    }

    /// <summary>The held guide says the client's tag is stale; a fresh read says it is current: the fresh read answers.</summary>
    [Fact]
    public async Task PatchAsync_HeldGuideStaleAndTagCurrent_WritesOverTheFreshRead()
    {
        await PatchAsync(_h.Writes, "assessment", StepStatus.InProgress, "\"step-0\"");
        var other = OtherInstance();
        var current = await PatchAsync(other.Writes, "assessment", StepStatus.Completed, "\"step-1\"");

        var view = await PatchAsync(_h.Writes, "assessment", StepStatus.InProgress, current.ETag);

        Assert.Equal("\"step-3\"", view.ETag);
        Assert.Equal(StepStatus.InProgress, (await _h.Store.ReadAsync("user-1", Ct)).Step("assessment").Value.Status);
    }

    /// <summary>The client's tag matches the held guide but not storage: 412 with storage's step, and nothing written over the other change.</summary>
    [Fact]
    public async Task PatchAsync_HeldGuideAndTagBothStale_Answers412WithTheStoredStep()
    {
        var mine = await PatchAsync(_h.Writes, "assessment", StepStatus.InProgress, "\"step-0\"");
        await PatchAsync(OtherInstance().Writes, "assessment", StepStatus.Completed, mine.ETag);

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync(_h.Writes, "assessment", StepStatus.Skipped, mine.ETag));

        Assert.Equal(412, problem.Type.Status);
        Assert.Equal("\"step-2\"", problem.Headers["ETag"]);
        Assert.Equal(StepStatus.Completed, (await _h.Store.ReadAsync("user-1", Ct)).Step("assessment").Value.Status);
    }

    /// <summary>A write to another step, decided over a held guide that misses the other instance's change, loses nothing.</summary>
    [Fact]
    public async Task PatchAsync_OtherInstanceChangedAnotherStep_KeepsBothChanges()
    {
        await PatchAsync(_h.Writes, "assessment", StepStatus.InProgress, "\"step-0\"");
        await PatchAsync(OtherInstance().Writes, "assessment", StepStatus.Completed, "\"step-1\"");

        await PatchAsync(_h.Writes, "team", StepStatus.InProgress, "\"step-0\"");

        var stored = await _h.Store.ReadAsync("user-1", Ct);
        Assert.Equal(StepStatus.Completed, stored.Step("assessment").Value.Status);
        Assert.Equal(StepStatus.InProgress, stored.Step("team").Value.Status);
    }

    /// <summary>
    /// "Already dismissed" is true of the held guide only: a decision that writes nothing proves nothing about storage,
    /// so it is decided again over a fresh read, which dismisses.
    /// </summary>
    [Fact]
    public async Task DismissAsync_AnotherInstanceResumedSinceHeld_DismissesAgain()
    {
        await _h.State.DismissAsync(User(), IfMatch(GuideCalculator.StateETag(0)), null, Ct);
        await OtherInstance().State.ResumeAsync(User(), IfMatch(GuideCalculator.StateETag(1)), null, Ct);

        var view = await _h.State.DismissAsync(User(), IfMatch(GuideCalculator.StateETag(2)), null, Ct);

        Assert.Equal(GuideCalculator.StateETag(3), view.ETag);
        Assert.NotNull((await _h.Store.ReadAsync("user-1", Ct)).State.Value.DismissedAt);
    }

    /// <summary>A refusal decided over the held guide and again over a fresh read is one conflict, not two.</summary>
    [Fact]
    public async Task PatchAsync_StaleTagRefused_CountsOneConflict()
    {
        await PatchAsync(_h.Writes, "assessment", StepStatus.InProgress, "\"step-0\"");
        var conflicts = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "huntaze.onboarding.conflicts")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref conflicts, (int)value));
        listener.Start();

        await Assert.ThrowsAsync<ProblemException>(() => PatchAsync(_h.Writes, "assessment", StepStatus.Completed, "\"step-0\""));

        Assert.Equal(1, conflicts);
        Assert.Equal(2, _h.Store.Reads);
    }
}

[CollectionDefinition(HeldGuideTests.Group, DisableParallelization = true)]
public sealed class HeldGuideTestGroup;
