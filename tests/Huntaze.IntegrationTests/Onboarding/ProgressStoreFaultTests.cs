using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>
/// The store against Azurite with a fault injected after storage has committed a write (Azurite cannot
/// inject faults itself, Azurite #593): the retry then meets a 412, which must not be taken for a conflict.
/// </summary>
public sealed class ProgressStoreFaultTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TableProgressStore CreateStore(HttpPipelinePolicy? policy)
    {
        var tableOptions = new TableClientOptions();
        tableOptions.Retry.MaxRetries = 0; // the store's own retry is under test
        if (policy is not null)
        {
            tableOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        var clients = new StorageClients(
            new TableServiceClient(fixture.Azurite.ConnectionString, tableOptions),
            new BlobServiceClient(fixture.Azurite.ConnectionString),
            fixture.TablePrefix,
            DataMap.Create(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Onboarding:TableName"] = "FaultProgress" }).Build()));
        var options = Options.Create(new OnboardingOptions { TableName = "FaultProgress", StorageBaseDelayMs = 1, StorageMaxDelayMs = 5 });
        return new TableProgressStore(clients, new StorageRetry(options, TimeProvider.System), options, new Huntaze.Functions.Backups.Journal.WriteJournal(clients, TimeProvider.System));
    }

    private static async Task<Stored<StepProgress>> SeedAsync(TableProgressStore store, string userId)
    {
        var result = await store.CommitAsync(userId, new ProgressCommit(new Stored<StepProgress>(StepProgress.Empty("goal_selection") with { Revision = 1 }, null), null), Ct);
        Assert.Equal(CommitStatus.Committed, result.Status);
        return (await store.ReadStepAsync(userId, "goal_selection", Ct))!;
    }

    [Fact]
    public async Task UpdateStepAsync_ResponseLostAfterCommit_ReportsCommitted()
    {
        var fault = new LoseResponseAfterCommit(RequestMethod.Put);
        var store = CreateStore(fault);
        var userId = HostFixture.NewUserId();
        var stored = await SeedAsync(store, userId);
        fault.Armed = true;

        var result = await store.UpdateStepAsync(userId, stored with { Value = stored.Value with { Revision = 2, Status = StepStatus.InProgress } }, Ct);

        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal(2, fault.Attempts);
        Assert.Equal(2, (await store.ReadStepAsync(userId, "goal_selection", Ct))!.Value.Revision);
    }

    [Fact]
    public async Task UpdateStepAsync_AnotherWriterCommittedFirst_ReportsConflict()
    {
        var store = CreateStore(null);
        var userId = HostFixture.NewUserId();
        var stored = await SeedAsync(store, userId);
        Assert.Equal(CommitStatus.Committed, (await store.UpdateStepAsync(userId, stored with { Value = stored.Value with { Revision = 2 } }, Ct)).Status);

        var result = await store.UpdateStepAsync(userId, stored with { Value = stored.Value with { Revision = 2, Data = "{\"late\":true}" } }, Ct);

        Assert.Equal(CommitStatus.Conflict, result.Status);
        Assert.Null((await store.ReadStepAsync(userId, "goal_selection", Ct))!.Value.Data);
    }

    [Fact]
    public async Task CommitAsync_TransientFailureBeforeCommit_RetriesAndCommits()
    {
        var fault = new FailBeforeSending(RequestMethod.Put);
        var store = CreateStore(fault);
        var userId = HostFixture.NewUserId();
        var stored = await SeedAsync(store, userId);
        fault.Armed = true;

        var result = await store.UpdateStepAsync(userId, stored with { Value = stored.Value with { Revision = 2 } }, Ct);

        Assert.Equal(CommitStatus.Committed, result.Status);
        Assert.Equal(2, (await store.ReadStepAsync(userId, "goal_selection", Ct))!.Value.Revision);
    }

    /// <summary>Lets the first matching request reach storage, then loses its response (a timeout).</summary>
    private sealed class LoseResponseAfterCommit(RequestMethod method) : HttpPipelinePolicy
    {
        public bool Armed { get; set; }

        public int Attempts { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var matches = Armed && message.Request.Method == method;
            Attempts += matches ? 1 : 0;
            await ProcessNextAsync(message, pipeline);
            if (matches && Attempts == 1)
            {
                throw new TimeoutException("Injected: the response was lost after storage committed the write.");
            }
        }
    }

    /// <summary>Fails the first matching request with a 503-like network error before it is sent.</summary>
    private sealed class FailBeforeSending(RequestMethod method) : HttpPipelinePolicy
    {
        public bool Armed { get; set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (Armed && message.Request.Method == method)
            {
                Armed = false;
                throw new IOException("Injected: connection reset before the request was sent.");
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
