using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.RateLimiting;
using static Huntaze.UnitTests.Onboarding.OnboardingHarness;

namespace Huntaze.UnitTests.Onboarding;

/// <summary>step-writes counted in the user's partition, in the write's own transaction (ADR 0007).</summary>
public sealed class WriteBudgetTests
{
    private readonly OnboardingHarness _h = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WriteBudget Budget(int limit = 20) =>
        new(RateLimitPolicies.StepWrites, "user-1", limit, 60, FixedWindow.At(_h.Time.GetUtcNow(), 60), _h.Time.GetUtcNow());

    private Task<StepView> PatchAsync(string data, string etag, WriteBudget budget) =>
        _h.Writes.PatchAsync(User(), "assessment", new StepPatchRequest(StepStatus.InProgress, JsonSerializer.Deserialize<JsonElement>(data), null), IfMatch(etag), null, budget, Ct);

    [Fact]
    public async Task PatchAsync_WithinBudget_CountsInTheSameCommitAsTheWrite()
    {
        var budget = Budget();

        await PatchAsync("""{"n":1}""", "\"step-0\"", budget);

        Assert.Equal(1, _h.Store.Commits);
        var counter = (await _h.Store.ReadAsync("user-1", Ct)).Counters[budget.Policy].Value;
        Assert.Equal(1, counter.Count);
        Assert.Equal(19, budget.Decision!.Remaining);
    }

    [Fact]
    public async Task PatchAsync_BudgetSpent_Throws429AndWritesNothing()
    {
        var etag = "\"step-0\"";
        for (var i = 0; i < 3; i++)
        {
            etag = (await PatchAsync($$"""{"n":{{i}}}""", etag, Budget(limit: 3))).ETag;
        }

        var problem = await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("""{"n":9}""", etag, Budget(limit: 3)));

        Assert.Equal(ProblemTypes.TooManyRequests, problem.Type);
        Assert.True(int.Parse(problem.Headers["Retry-After"], System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(etag, GuideCalculator.StepETag((await _h.Store.ReadAsync("user-1", Ct)).Step("assessment").Value.Revision));
    }

    [Fact]
    public async Task PatchAsync_RefusedWithStaleTag_StillSpendsTheBudget()
    {
        await PatchAsync("""{"n":1}""", "\"step-0\"", Budget());
        var budget = Budget();

        await Assert.ThrowsAsync<ProblemException>(() => PatchAsync("""{"n":2}""", "\"step-0\"", budget));

        Assert.Equal(2, (await _h.Store.ReadAsync("user-1", Ct)).Counters[budget.Policy].Value.Count);
    }

    /// <summary>A refusal that cannot be counted (every round lost a race) is a 429, as a contended limiter answers; never uncounted.</summary>
    [Fact]
    public async Task UpdateAsync_RefusalNeverCounted_Answers429()
    {
        var store = new CounterAlwaysConflicts(_h.Store);
        var budget = Budget();

        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            store.UpdateAsync<int>("user-1", budget, _ => throw Problems.PreconditionFailed("stale"), Ct));

        Assert.Equal(ProblemTypes.TooManyRequests, problem.Type);
        Assert.True(int.Parse(problem.Headers["Retry-After"], System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.False(budget.Decision!.Admitted);
    }

    [Fact]
    public async Task PatchAsync_NextWindow_StartsFromZero()
    {
        var etag = (await PatchAsync("""{"n":1}""", "\"step-0\"", Budget(limit: 1))).ETag;
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var budget = Budget(limit: 1);

        await PatchAsync("""{"n":2}""", etag, budget);

        Assert.Equal(0, budget.Decision!.Remaining);
    }

    [Fact]
    public async Task UpdateAsync_BudgetOfAnotherUser_IsRefused()
    {
        var other = new WriteBudget(RateLimitPolicies.StepWrites, "someone-else", 20, 60, FixedWindow.At(_h.Time.GetUtcNow(), 60), _h.Time.GetUtcNow());

        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.Store.UpdateAsync("user-1", other, _ => ProgressDecision.Unchanged(0), Ct));
    }

    /// <summary>Every commit of the counter alone loses its race (another request of the user always got in first).</summary>
    private sealed class CounterAlwaysConflicts(IProgressStore inner) : IProgressStore
    {
        public int ConflictRounds => inner.ConflictRounds;

        public Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken) => inner.ReadAsync(userId, cancellationToken);

        public bool TryGetHeld(string userId, [NotNullWhen(true)] out ProgressSnapshot? snapshot) => inner.TryGetHeld(userId, out snapshot);

        public Task<CommitStatus> CommitAsync(ProgressSnapshot basis, ProgressCommit commit, CancellationToken cancellationToken) =>
            commit.Step is null && commit.State is null ? Task.FromResult(CommitStatus.Conflict) : inner.CommitAsync(basis, commit, cancellationToken);

        public Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            inner.ListStepHoldersAsync(stepId, continuationToken, pageSize, cancellationToken);
    }
}
