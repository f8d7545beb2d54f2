using Azure.Core;
using Azure.Core.Pipeline;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>
/// The store against Azurite with a fault injected after storage has committed a write: the SDK's retry then
/// meets a 412, which must not be taken for a conflict.
/// </summary>
public sealed class ProgressStoreFaultTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TableProgressStore CreateStore(HttpPipelinePolicy? policy)
    {
        var clients = StorageFaults.Clients(fixture.Azurite.ConnectionString, fixture.TablePrefix, policy);
        return new(clients, Options.Create(new OnboardingOptions { TableName = "FaultProgress" }), new WriteJournal(clients, TimeProvider.System));
    }

    private static async Task<Stored<StepProgress>> SeedAsync(TableProgressStore store, string userId)
    {
        var result = await store.CommitAsync(userId, new ProgressCommit(new Stored<StepProgress>(StepProgress.Empty("goal_selection") with { Revision = 1 }, null), null), Ct);
        Assert.Equal(CommitStatus.Committed, result);
        return (await store.ReadStepAsync(userId, "goal_selection", Ct))!;
    }

    [Fact]
    public async Task CommitAsync_ResponseLostAfterCommit_ReportsCommitted()
    {
        // A commit is always an entity-group transaction (POST): the journal row rides with the step (ADR 0016).
        var fault = new LoseResponseAfterCommit(RequestMethod.Post);
        var store = CreateStore(fault);
        var userId = HostFixture.NewUserId();
        var stored = await SeedAsync(store, userId);
        fault.Armed = true;

        var result = await store.CommitAsync(userId, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2, Status = StepStatus.InProgress } }, null), Ct);

        Assert.Equal(CommitStatus.Committed, result);
        Assert.Equal(2, fault.Attempts);
        Assert.Equal(2, (await store.ReadStepAsync(userId, "goal_selection", Ct))!.Value.Revision);
    }

    [Fact]
    public async Task CommitAsync_TransactionResponseLostAfterCommit_ReportsCommitted()
    {
        var fault = new LoseResponseAfterCommit(RequestMethod.Post);
        var store = CreateStore(fault);
        var userId = HostFixture.NewUserId();
        var stored = await SeedAsync(store, userId);
        fault.Armed = true;

        var result = await store.CommitAsync(
            userId,
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
        var stored = await SeedAsync(store, userId);
        Assert.Equal(CommitStatus.Committed, await store.CommitAsync(userId, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2 } }, null), Ct));

        var result = await store.CommitAsync(userId, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2, Data = "{\"late\":true}" } }, null), Ct);

        Assert.Equal(CommitStatus.Conflict, result);
        Assert.Null((await store.ReadStepAsync(userId, "goal_selection", Ct))!.Value.Data);
    }

    /// <summary>A write racing a support reset (the step deleted since read) is a conflict the loop re-reads, not a 404 that becomes a 500.</summary>
    [Fact]
    public async Task CommitAsync_StepDeletedSinceRead_ReportsConflict()
    {
        var store = CreateStore(null);
        var userId = HostFixture.NewUserId();
        var stored = await SeedAsync(store, userId);
        Assert.Equal(CommitStatus.Committed, await store.CommitAsync(userId, new ProgressCommit(null, null) { Removed = [stored] }, Ct));

        var result = await store.CommitAsync(userId, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2 } }, null), Ct);

        Assert.Equal(CommitStatus.Conflict, result);
        Assert.Null(await store.ReadStepAsync(userId, "goal_selection", Ct));
    }

    [Fact]
    public async Task CommitAsync_TransientFailureBeforeCommit_RetriedBelowAndCommits()
    {
        var fault = new FailBeforeSending(RequestMethod.Post);
        var store = CreateStore(fault);
        var userId = HostFixture.NewUserId();
        var stored = await SeedAsync(store, userId);
        fault.Armed = true;

        var result = await store.CommitAsync(userId, new ProgressCommit(stored with { Value = stored.Value with { Revision = 2 } }, null), Ct);

        Assert.Equal(CommitStatus.Committed, result);
        Assert.Equal(2, (await store.ReadStepAsync(userId, "goal_selection", Ct))!.Value.Revision);
    }
}
