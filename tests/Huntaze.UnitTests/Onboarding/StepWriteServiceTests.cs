using System.Text.Json;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using static Huntaze.UnitTests.Onboarding.OnboardingHarness;

namespace Huntaze.UnitTests.Onboarding;

public sealed class StepWriteServiceTests
{
    private readonly OnboardingHarness _h = new();

    private static StepPatchRequest Patch(StepStatus? status, string? data = null, int? version = null) =>
        new(status, data is null ? null : JsonSerializer.Deserialize<JsonElement>(data), version);

    private Task<StepView> PatchAsync(string stepId, StepPatchRequest patch, Precondition precondition, string market = "US", string? key = null) =>
        _h.Writes.PatchAsync(User(market), stepId, patch, precondition, key, null, TestContext.Current.CancellationToken);

    [Fact]
    public async Task PatchAsync_MatchingIfMatch_BumpsVersion()
    {
        var view = await PatchAsync("assessment", Patch(StepStatus.InProgress), IfMatch("\"step-0\""));

        Assert.Equal(1, view.Version);
        Assert.Equal("\"step-1\"", view.ETag);
        Assert.Equal(StepStatus.InProgress, view.Status);
    }

    [Fact]
    public async Task PatchAsync_StaleIfMatch_Throws412WithCurrentRepresentation()
    {
        await PatchAsync("assessment", Patch(StepStatus.InProgress), IfMatch("\"step-0\""));

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.Completed), IfMatch("\"step-0\"")));

        Assert.Equal(412, problem.Type.Status);
        Assert.Equal("\"step-1\"", problem.Headers["ETag"]);
        Assert.Equal(1, Assert.IsType<StepView>(problem.Extensions["current"]).Version);
    }

    [Fact]
    public async Task PatchAsync_StaleBodyVersion_Throws409OptimisticLockConflict()
    {
        await PatchAsync("assessment", Patch(StepStatus.InProgress), BodyVersion(0));

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.Completed), BodyVersion(0)));

        Assert.Equal(409, problem.Type.Status);
        Assert.Equal("OPTIMISTIC_LOCK_CONFLICT", problem.Extensions["code"]);
        Assert.Equal(0, problem.Extensions["attemptedVersion"]);
        Assert.Equal(1, problem.Extensions["currentVersion"]);
    }

    [Fact]
    public async Task PatchAsync_WeakETag_Throws412()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.InProgress), IfMatch("W/\"step-0\"")));

        Assert.Equal(412, problem.Type.Status);
    }

    [Fact]
    public async Task PatchAsync_SkipRequiredStep_Throws409()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.Skipped), IfMatch("\"step-0\"")));

        Assert.Equal(ProblemTypes.StepBlocked, problem.Type);
        Assert.Equal("STEP_REQUIRED", problem.Extensions["code"]);
    }

    [Fact]
    public async Task PatchAsync_CompleteBeforePrerequisite_Throws409NamingBlockers()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("goals", Patch(StepStatus.Completed), IfMatch("\"step-0\"")));

        Assert.Equal(409, problem.Type.Status);
        Assert.Equal(["assessment"], Assert.IsType<IReadOnlyList<string>>(problem.Extensions["blockedBy"], exactMatch: false));
    }

    [Fact]
    public async Task PatchAsync_NeedsReview_Throws400()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.NeedsReview), IfMatch("\"step-0\"")));

        Assert.Equal(400, problem.Type.Status);
    }

    [Theory]
    [InlineData("unknown_step", "US")]
    [InlineData("impressum", "US")]
    public async Task PatchAsync_StepNotOffered_Throws404(string stepId, string market)
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync(stepId, Patch(StepStatus.InProgress), IfMatch("\"step-0\""), market));

        Assert.Equal(404, problem.Type.Status);
    }

    [Fact]
    public async Task PatchAsync_DataOver4Kb_Throws400()
    {
        var data = JsonSerializer.Serialize(new { text = new string('x', 4100) });

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.InProgress, data), IfMatch("\"step-0\"")));

        Assert.Equal(400, problem.Type.Status);
        Assert.Equal(0, _h.Store.Commits);
    }

    [Fact]
    public async Task PatchAsync_DataNestedTooDeep_Throws400()
    {
        var data = string.Concat(Enumerable.Repeat("{\"a\":", 12)) + "1" + new string('}', 12);

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.InProgress, data), IfMatch("\"step-0\"")));

        Assert.Equal(400, problem.Type.Status);
    }

    [Fact]
    public async Task PatchAsync_SameChangeResentWithSameIdempotencyKey_Returns200WithoutWriting()
    {
        await PatchAsync("assessment", Patch(StepStatus.InProgress, "{\"a\":1}"), IfMatch("\"step-0\""), key: "k1");

        var again = await PatchAsync("assessment", Patch(StepStatus.InProgress, "{\"a\":1}"), IfMatch("\"step-0\""), key: "k1");

        Assert.Equal(1, again.Version);
        Assert.Equal(1, _h.Store.Commits);
    }

    [Fact]
    public async Task PatchAsync_SameChangeWithCurrentETag_Returns200WithoutWriting()
    {
        await PatchAsync("assessment", Patch(StepStatus.InProgress, "{\"a\":1}"), IfMatch("\"step-0\""));

        var again = await PatchAsync("assessment", Patch(StepStatus.InProgress, "{\"a\":1}"), IfMatch("\"step-1\""));

        Assert.Equal(1, again.Version);
        Assert.Equal(1, _h.Store.Commits);
    }

    [Fact]
    public async Task PatchAsync_EqualChangeFromAnotherStaleWriter_Throws412()
    {
        await PatchAsync("assessment", Patch(StepStatus.InProgress, "{\"counter\":1}"), IfMatch("\"step-0\""), key: "writer-a");

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.InProgress, "{\"counter\":1}"), IfMatch("\"step-0\""), key: "writer-b"));

        Assert.Equal(412, problem.Type.Status);
    }

    [Fact]
    public async Task PatchAsync_OnlyStateMovedMeanwhile_RetriesAndSucceeds()
    {
        await _h.State.SnoozeAsync(User(), 1, null, TestContext.Current.CancellationToken);
        _h.Store.BeforeCommit = () => _h.State.SnoozeAsync(User(), 2, null, CancellationToken.None).GetAwaiter().GetResult();

        var view = await PatchAsync("assessment", Patch(StepStatus.InProgress), IfMatch("\"step-0\""));

        Assert.Equal(1, view.Version);
    }

    [Fact]
    public async Task PatchAsync_StepMovedMeanwhile_Throws412()
    {
        _h.Store.BeforeCommit = () => PatchAsync("assessment", Patch(StepStatus.InProgress, "{\"other\":true}"), IfMatch("\"step-0\"")).GetAwaiter().GetResult();

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.InProgress, "{\"mine\":true}"), IfMatch("\"step-0\"")));

        Assert.Equal(412, problem.Type.Status);
    }

    [Fact]
    public async Task PatchAsync_LastRequiredStepCompleted_MarksOnboardingCompletedOnce()
    {
        await PatchAsync("assessment", Patch(StepStatus.Completed), IfMatch("\"step-0\""));
        await PatchAsync("goals", Patch(StepStatus.Completed), IfMatch("\"step-0\""));
        await PatchAsync("team", Patch(StepStatus.Completed), IfMatch("\"step-0\""));
        var completedAt = ((GuideView)(await _h.Guide.GetViewAsync(User(), TestContext.Current.CancellationToken)).Value).State.CompletedAt;

        // A later write while every required step is still completed must not complete onboarding again.
        await PatchAsync("team", Patch(StepStatus.Completed, """{"seats":3}"""), IfMatch("\"step-1\""));

        var view = (GuideView)(await _h.Guide.GetViewAsync(User(), TestContext.Current.CancellationToken)).Value;
        Assert.True(view.State.Completed);
        Assert.Equal(completedAt, view.State.CompletedAt);
        Assert.Single(_h.Events.Events, e => e.Kind == OnboardingEventKind.OnboardingCompleted);
    }

    [Fact]
    public async Task PatchAsync_KillSwitchActive_Throws503WithRetryAfter()
    {
        _h.KillSwitch.Current = new(true, "incident", null);

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("assessment", Patch(StepStatus.InProgress), IfMatch("\"step-0\"")));

        Assert.Equal(503, problem.Type.Status);
        Assert.Equal("60", problem.Headers["Retry-After"]);
    }

    [Fact]
    public async Task PatchAsync_StepCompleted_PublishesStepCompleted()
    {
        await PatchAsync("assessment", Patch(StepStatus.Completed), IfMatch("\"step-0\""));

        Assert.Contains(_h.Events.Events, e => e.Kind == OnboardingEventKind.StepCompleted && e.Subject == "assessment");
    }
}
