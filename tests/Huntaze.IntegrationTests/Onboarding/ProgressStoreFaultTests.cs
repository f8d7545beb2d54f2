using Azure.Core;
using Azure.Core.Pipeline;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>
/// The store against Azurite with a fault injected after storage has committed a write: the SDK's retry then
/// meets a 412, which must not be taken for a conflict.
/// </summary>
public sealed class ProgressStoreFaultTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TableProgressStore CreateStore(HttpPipelinePolicy? policy) => StorageFaults.ProgressStore(fixture, "FaultProgress", policy);

    /// <summary>A guide holding one step at revision 1, as read back.</summary>
    private static async Task<ProgressSnapshot> SeedAsync(TableProgressStore store, string userId)
    {
        var result = await store.CommitAsync(ProgressSnapshot.Empty(userId), new ProgressCommit(new Stored<StepProgress>(StepProgress.Empty("goal_selection") with { Revision = 1 }, null), null), Ct);
        Assert.Equal(CommitStatus.Committed, result);
        return await store.ReadAsync(userId, Ct);
    }

    private static async Task<StepProgress?> StepAsync(TableProgressStore store, string userId) =>
        (await store.ReadAsync(userId, Ct)).Steps.GetValueOrDefault("goal_selection")?.Value;

    [Fact]
    public async Task CommitAsync_ResponseLostAfterCommit_ReportsCommitted()
    {
        // A commit is always an entity-group transaction (POST): the journal row rides with the guide (ADR 0016, 0018).
        var fault = new LoseResponseAfterCommit(RequestMethod.Post);
        var store = CreateStore(fault);
        var userId = HostFixture.NewUserId();
        var guide = await SeedAsync(store, userId);
        var stored = guide.Steps["goal_selection"];
        fault.Armed = true;

        var result = await store.CommitAsync(guide, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2, Status = StepStatus.InProgress } }, null), Ct);

        Assert.Equal(CommitStatus.Committed, result);
        Assert.Equal(2, fault.Attempts);
        Assert.Equal(2, (await StepAsync(store, userId))!.Revision);
    }

    [Fact]
    public async Task CommitAsync_TransactionResponseLostAfterCommit_ReportsCommitted()
    {
        var fault = new LoseResponseAfterCommit(RequestMethod.Post);
        var store = CreateStore(fault);
        var userId = HostFixture.NewUserId();
        var guide = await SeedAsync(store, userId);
        var stored = guide.Steps["goal_selection"];
        fault.Armed = true;

        var result = await store.CommitAsync(
            guide,
            new ProgressCommit(stored with { Value = stored.Value with { Revision = 2 } }, new Stored<OnboardingState>(OnboardingState.Empty with { Revision = 1 }, null)),
            Ct);

        Assert.Equal(CommitStatus.Committed, result);
        Assert.Equal(2, fault.Attempts);
        Assert.Equal(1, (await store.ReadAsync(userId, Ct)).State.Value.Revision);
    }

    [Fact]
    public async Task CommitAsync_AnotherWriterCommittedFirst_ReportsConflict()
    {
        var store = CreateStore(null);
        var userId = HostFixture.NewUserId();
        var guide = await SeedAsync(store, userId);
        var stored = guide.Steps["goal_selection"];
        Assert.Equal(CommitStatus.Committed, await store.CommitAsync(guide, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2 } }, null), Ct));

        var result = await store.CommitAsync(guide, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2, Data = "{\"late\":true}" } }, null), Ct);

        Assert.Equal(CommitStatus.Conflict, result);
        Assert.Null((await StepAsync(store, userId))!.Data);
    }

    /// <summary>A write racing a support reset (the step removed since read) is a conflict the loop re-reads, not a 404 that becomes a 500.</summary>
    [Fact]
    public async Task CommitAsync_StepRemovedSinceRead_ReportsConflict()
    {
        var store = CreateStore(null);
        var userId = HostFixture.NewUserId();
        var guide = await SeedAsync(store, userId);
        var stored = guide.Steps["goal_selection"];
        Assert.Equal(CommitStatus.Committed, await store.CommitAsync(guide, new ProgressCommit(null, null) { Removed = [stored] }, Ct));

        var result = await store.CommitAsync(guide, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2 } }, null), Ct);

        Assert.Equal(CommitStatus.Conflict, result);
        Assert.Null(await StepAsync(store, userId));
    }

    /// <summary>A write racing an erasure (the whole guide deleted since read) is a conflict, and nothing comes back.</summary>
    [Fact]
    public async Task CommitAsync_GuideErasedSinceRead_ReportsConflict()
    {
        var store = CreateStore(null);
        var userId = HostFixture.NewUserId();
        var guide = await SeedAsync(store, userId);
        var stored = guide.Steps["goal_selection"];
        Assert.Equal(CommitStatus.Committed, await store.CommitAsync(guide, new ProgressCommit(null, null) { Removed = [stored], RemovedState = guide.ETag }, Ct));

        var result = await store.CommitAsync(guide, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2 } }, null), Ct);

        Assert.Equal(CommitStatus.Conflict, result);
        Assert.Null((await store.ReadAsync(userId, Ct)).ETag);
    }

    [Fact]
    public async Task CommitAsync_TransientFailureBeforeCommit_RetriedBelowAndCommits()
    {
        var fault = new FailBeforeSending(RequestMethod.Post);
        var store = CreateStore(fault);
        var userId = HostFixture.NewUserId();
        var guide = await SeedAsync(store, userId);
        var stored = guide.Steps["goal_selection"];
        fault.Armed = true;

        var result = await store.CommitAsync(guide, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2 } }, null), Ct);

        Assert.Equal(CommitStatus.Committed, result);
        Assert.Equal(2, (await StepAsync(store, userId))!.Revision);
    }
}
