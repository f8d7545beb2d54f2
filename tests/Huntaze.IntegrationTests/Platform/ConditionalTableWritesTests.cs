using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Storage;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>The shared conditional write (write id + re-read) and the one retry layer under it, against Azurite.</summary>
public sealed class ConditionalTableWritesTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubmitAsync_TransactionResponseLost_RecognisesItsCommitAndReturnsTheETags()
    {
        var fault = new LoseResponseAfterCommit(RequestMethod.Post);
        var table = await TableAsync(fault);
        var partition = HostFixture.NewUserId();
        var batch = new TableWriteBatch(partition).Put(new TableEntity(partition, "a") { ["V"] = 1 }, null).Put(new TableEntity(partition, "b") { ["V"] = 2 }, null);
        fault.Armed = true;

        var result = await table.SubmitAsync(batch, Ct);

        Assert.Equal(TableWriteStatus.Committed, result.Status);
        Assert.Equal(2, fault.Attempts);
        Assert.Equal((await table.GetEntityAsync<TableEntity>(partition, "b", cancellationToken: Ct)).Value.ETag, result.ETags["b"]);
    }

    /// <summary>
    /// Issue 15's defect: a write commits, its response is lost, another writer commits on top (carrying the write
    /// ids it read), and the retry meets 412. The retry is the same batch (same write id): it is recognised from the
    /// entity's write history, and gets no ETag for the entity, which is no longer its write.
    /// </summary>
    [Fact]
    public async Task SubmitAsync_RetryOfACommitAnotherWriterOverwrote_RecognisesItsCommitWithoutAnETag()
    {
        var table = await TableAsync(null);
        var partition = HostFixture.NewUserId();
        var created = await table.SubmitAsync(new TableWriteBatch(partition).Put(new TableEntity(partition, "a") { ["V"] = 0 }, null), Ct);
        var ours = new TableWriteBatch(partition).Put(new TableEntity(partition, "a") { ["V"] = 1 }, created.ETags["a"]);
        Assert.True((await table.SubmitAsync(ours, Ct)).Committed);
        await OverwriteAsync(table, partition, "a", 2);

        var retry = await table.SubmitAsync(ours, Ct);

        Assert.Equal(TableWriteStatus.Committed, retry.Status);
        Assert.Empty(retry.ETags);
        Assert.Equal(2, (await table.GetEntityAsync<TableEntity>(partition, "a", cancellationToken: Ct)).Value.GetInt32("V"));
    }

    [Fact]
    public async Task SubmitAsync_RetryAfterMoreWritesThanTheHistoryKeeps_IsAConflict()
    {
        var table = await TableAsync(null);
        var partition = HostFixture.NewUserId();
        var ours = new TableWriteBatch(partition).Put(new TableEntity(partition, "a") { ["V"] = 0 }, null);
        Assert.True((await table.SubmitAsync(ours, Ct)).Committed);
        for (var i = 1; i < TableWriteBatch.WriteHistory; i++)
        {
            await OverwriteAsync(table, partition, "a", i);
        }

        var kept = (await table.GetEntityAsync<TableEntity>(partition, "a", cancellationToken: Ct)).Value;
        Assert.True(TableWriteBatch.Includes(TableWriteBatch.WriteIdsOf(kept), ours.WriteId));
        await OverwriteAsync(table, partition, "a", TableWriteBatch.WriteHistory);

        var stored = TableWriteBatch.WriteIdsOf((await table.GetEntityAsync<TableEntity>(partition, "a", cancellationToken: Ct)).Value)!;
        Assert.Equal(TableWriteBatch.WriteHistory, stored.Split(' ').Length);
        Assert.Equal(TableWriteStatus.Conflict, (await table.SubmitAsync(ours, Ct)).Status);
    }

    [Fact]
    public async Task SubmitAsync_InsertOfAnExistingEntity_IsAConflict()
    {
        var table = await TableAsync(null);
        var partition = HostFixture.NewUserId();
        Assert.True((await table.SubmitAsync(new TableWriteBatch(partition).Put(new TableEntity(partition, "a"), null), Ct)).Committed);

        var result = await table.SubmitAsync(new TableWriteBatch(partition).Put(new TableEntity(partition, "a") { ["V"] = 2 }, null), Ct);

        Assert.Equal(TableWriteStatus.Conflict, result.Status);
    }

    [Fact]
    public async Task SubmitAsync_UpdateRacingADelete_IsAConflictNotAnError()
    {
        var table = await TableAsync(null);
        var partition = HostFixture.NewUserId();
        var created = await table.SubmitAsync(new TableWriteBatch(partition).Put(new TableEntity(partition, "a"), null), Ct);
        await table.DeleteEntityAsync(partition, "a", ETag.All, Ct);

        var single = await table.SubmitAsync(new TableWriteBatch(partition).Put(new TableEntity(partition, "a") { ["V"] = 2 }, created.ETags["a"]), Ct);
        var inTransaction = await table.SubmitAsync(
            new TableWriteBatch(partition).Put(new TableEntity(partition, "a") { ["V"] = 2 }, created.ETags["a"]).Put(new TableEntity(partition, "b"), null), Ct);

        Assert.Equal(TableWriteStatus.Conflict, single.Status);
        Assert.Equal(TableWriteStatus.Conflict, inTransaction.Status);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(partition, "b", cancellationToken: Ct)).HasValue);
    }

    [Fact]
    public void Put_WithETagAll_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new TableWriteBatch("p").Put(new TableEntity("p", "a"), ETag.All));
    }

    /// <summary>One layer: an outage costs MaxRetries + 1 attempts per storage call (the old store's retry on the SDK's made 16).</summary>
    [Fact]
    public async Task ProgressStore_StorageDown_EachCallMakesMaxRetriesPlusOneAttempts()
    {
        using var outage = new Outage();
        var options = new StorageOptions { MaxRetries = 3, RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5) };
        var store = StorageFaults.ProgressStore(fixture, "OutageProgress", outage, options);
        var userId = HostFixture.NewUserId();
        var read = await store.ReadAsync(userId, Ct);
        outage.Down = true;

        await Assert.ThrowsAnyAsync<Exception>(() => store.ReadAsync(userId, Ct));
        var readAttempts = outage.Attempts;
        await Assert.ThrowsAnyAsync<Exception>(() => store.CommitAsync(read, new ProgressCommit(null, new Stored<OnboardingState>(read.State.Value with { Revision = 1 }, null)), Ct));

        Assert.Equal(options.MaxRetries + 1, readAttempts);
        Assert.Equal(2 * (options.MaxRetries + 1), outage.Attempts);
    }

    /// <summary>Another writer's read-modify-write of the entity, keeping the write ids it read.</summary>
    private static async Task OverwriteAsync(TableClient table, string partition, string rowKey, int value)
    {
        var read = (await table.GetEntityAsync<TableEntity>(partition, rowKey, cancellationToken: Ct)).Value;
        var batch = new TableWriteBatch(partition).Put(new TableEntity(partition, rowKey) { ["V"] = value }, read.ETag, TableWriteBatch.WriteIdsOf(read));
        Assert.True((await table.SubmitAsync(batch, Ct)).Committed);
    }

    private async Task<TableClient> TableAsync(Azure.Core.Pipeline.HttpPipelinePolicy? policy) =>
        await StorageFaults.Clients(fixture.Azurite.ConnectionString, fixture.TablePrefix, policy).GetTableAsync("ConditionalWrites", Ct);
}
