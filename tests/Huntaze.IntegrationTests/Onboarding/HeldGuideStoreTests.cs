using Azure.Core;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>The guides the Table store holds (ADR 0019), against Azurite: held exactly as storage returns them, and used.</summary>
public sealed class HeldGuideStoreTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One instance's store (its own held guides) over the shared scratch table.</summary>
    private TableProgressStore CreateStore(CountAttempts? reads = null) => StorageFaults.ProgressStore(fixture, "FaultProgress", reads);

    private static ProgressDecision<int> NextRevision(ProgressSnapshot guide)
    {
        var step = guide.Step("goal_selection");
        var next = step.Value with { Revision = step.Value.Revision + 1, Status = StepStatus.InProgress, Data = $$"""{"at":"{{DateTimeOffset.UtcNow:O}}"}""", UpdatedAt = DateTimeOffset.UtcNow };
        return ProgressDecision.Write(new ProgressCommit(step with { Value = next }, guide.State with { Value = guide.State.Value with { UpdatedAt = DateTimeOffset.UtcNow } }), next.Revision);
    }

    /// <summary>What a commit holds is what the next read returns: every part, its ETag and its write ids.</summary>
    [Fact]
    public async Task CommitAsync_Committed_HoldsTheGuideAsStorageReturnsIt()
    {
        var store = CreateStore();
        var userId = HostFixture.NewUserId();
        await store.UpdateAsync(userId, NextRevision, Ct);

        Assert.True(store.TryGetHeld(userId, out var held));
        var read = await CreateStore().ReadAsync(userId, Ct);

        Assert.Equal(read.ETag, held.ETag);
        Assert.Equal(read.WriteIds, held.WriteIds);
        Assert.Equal(read.State, held.State);
        Assert.Equal(read.Steps.Keys, held.Steps.Keys);
        Assert.All(read.Steps, s => Assert.Equal(s.Value, held.Steps[s.Key]));
        Assert.Equal(read.Counters.Keys, held.Counters.Keys);
    }

    [Fact]
    public async Task UpdateAsync_GuideHeldFromLastCommit_MakesNoStorageRead()
    {
        var reads = new CountAttempts { Method = RequestMethod.Get };
        var store = CreateStore(reads);
        var userId = HostFixture.NewUserId();
        await store.UpdateAsync(userId, NextRevision, Ct);
        reads.Reset();

        var revisions = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            revisions.Add(await store.UpdateAsync(userId, NextRevision, Ct));
        }

        Assert.Equal(0, reads.Attempts);
        Assert.Equal([2, 3, 4], revisions);
        Assert.Equal(4, (await store.ReadAsync(userId, Ct)).Step("goal_selection").Value.Revision);
    }

    /// <summary>Another instance wrote since this one held the guide: the commit over it loses, and the change is made over a fresh read.</summary>
    [Fact]
    public async Task UpdateAsync_AnotherInstanceWroteSinceHeld_ChangesTheStoredGuide()
    {
        var mine = CreateStore();
        var userId = HostFixture.NewUserId();
        await mine.UpdateAsync(userId, NextRevision, Ct);
        await CreateStore().UpdateAsync(userId, NextRevision, Ct);

        var revision = await mine.UpdateAsync(userId, NextRevision, Ct);

        Assert.Equal(3, revision);
        Assert.Equal(3, (await CreateStore().ReadAsync(userId, Ct)).Step("goal_selection").Value.Revision);
    }

    /// <summary>A read that finds the held guide's ETag returns the held guide (no parse); one that finds another parses what it found.</summary>
    [Fact]
    public async Task ReadAsync_GuideUnchangedSinceHeld_ReturnsTheHeldGuideElseTheStoredOne()
    {
        var mine = CreateStore();
        var userId = HostFixture.NewUserId();
        await mine.UpdateAsync(userId, NextRevision, Ct);
        Assert.True(mine.TryGetHeld(userId, out var held));

        var unchanged = await mine.ReadAsync(userId, Ct);
        await CreateStore().UpdateAsync(userId, NextRevision, Ct);
        var changed = await mine.ReadAsync(userId, Ct);

        Assert.Same(held, unchanged);
        Assert.NotSame(held, changed);
        Assert.Equal(2, changed.Step("goal_selection").Value.Revision);
        Assert.True(mine.TryGetHeld(userId, out var now));
        Assert.Same(changed, now);
    }

    /// <summary>Erasure and retention remove the guide through the store: what was held goes with it.</summary>
    [Fact]
    public async Task CommitAsync_GuideRemoved_ForgetsTheHeldGuide()
    {
        var store = CreateStore();
        var userId = HostFixture.NewUserId();
        await store.UpdateAsync(userId, NextRevision, Ct);
        Assert.True(store.TryGetHeld(userId, out var held));

        var removed = await store.CommitAsync(held, new ProgressCommit(null, null) { Removed = [.. held.Steps.Values], RemovedState = held.ETag }, Ct);

        Assert.Equal(CommitStatus.Committed, removed);
        Assert.False(store.TryGetHeld(userId, out _));
        Assert.Null((await store.ReadAsync(userId, Ct)).ETag);
    }
}
