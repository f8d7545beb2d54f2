using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Storage;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Flags;

/// <summary>The table store, the publisher and the poller against Azurite, each test in a table and container of its own.</summary>
public sealed class SnapshotPublisherTests(HostFixture fixture)
{
    private readonly StorageClients _storage = new(
        new TableServiceClient(fixture.Azurite.ConnectionString),
        new BlobServiceClient(fixture.Azurite.ConnectionString),
        "pub" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task PublishAsync_SourceUnchangedSinceLastPublish_DoesNotUpload()
    {
        var ct = TestContext.Current.CancellationToken;
        var (store, blobs, publisher) = Create();
        await store.SaveAsync(new FeatureFlag(FeatureNames.Onboarding, true), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct);
        Assert.Equal(PublishOutcome.Published, (await publisher.PublishAsync(ct)).Outcome);
        var etag = (await blobs.HeadAsync(ct))!.ETag;

        var second = await publisher.PublishAsync(ct);

        Assert.Equal(PublishOutcome.Unchanged, second.Outcome);
        Assert.Equal(etag, (await blobs.HeadAsync(ct))!.ETag);
    }

    [Fact]
    public async Task TryPublishAsync_BlobChangedSinceItWasRead_LosesTheRace()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, blobs, publisher) = Create();
        await publisher.PublishAsync(ct);
        var stale = (await blobs.HeadAsync(ct))!.ETag;
        await blobs.TryPublishAsync("{}"u8.ToArray(), "other", 2, stale, ct);

        var etag = await blobs.TryPublishAsync("{}"u8.ToArray(), "older", 2, stale, ct);

        Assert.Null(etag);
        Assert.Equal("other", (await blobs.HeadAsync(ct))!.Hash);
    }

    [Fact]
    public async Task SaveAsync_StaleETag_ThrowsConflict()
    {
        var ct = TestContext.Current.CancellationToken;
        var (store, _, _) = Create();
        var first = await store.SaveAsync(new FeatureFlag("F", true), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct);
        await store.SaveAsync(new FeatureFlag("F", false), new Dictionary<string, string>(), FlagWriteCondition.Matching(first.ETag), ct);

        await Assert.ThrowsAsync<FlagConflictException>(() =>
            store.SaveAsync(new FeatureFlag("F", true), new Dictionary<string, string>(), FlagWriteCondition.Matching(first.ETag), ct));
    }

    [Fact]
    public async Task PollOnceAsync_AfterPublish_AppliesThenConfirmsWithoutReapplying()
    {
        var ct = TestContext.Current.CancellationToken;
        var (store, blobs, publisher) = Create();
        await store.SaveAsync(new FeatureFlag(FeatureNames.KillSwitch, true, "test"), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct);
        await publisher.PublishAsync(ct);
        var state = new FlagState(TimeProvider.System);
        var applied = 0;
        state.Changed += _ => applied++;
        var options = Options.Create(new FlagsOptions());
        var sync = new FlagSync(publisher, new FlagSyncStatusStore(_storage), store, state, options, TimeProvider.System, NullLogger<FlagSync>.Instance);
        var poller = new SnapshotPoller(blobs, state, sync, options, TimeProvider.System, NullLogger<SnapshotPoller>.Instance);

        var first = await poller.PollOnceAsync(ct);
        var second = await poller.PollOnceAsync(ct);

        // The second poll must be a 304 to our If-None-Match: without the header it reads the blob again.
        Assert.Equal((PollOutcome.Applied, PollOutcome.NotModified), (first, second));
        Assert.Equal(1, applied);
        Assert.True(new KillSwitch(state).Current.Active);
        Assert.Null(state.LastError);
    }

    private (TableFlagStore Store, SnapshotBlobStore Blobs, SnapshotPublisher Publisher) Create()
    {
        var store = new TableFlagStore(_storage);
        var blobs = new SnapshotBlobStore(_storage);
        return (store, blobs, new SnapshotPublisher(store, blobs, TimeProvider.System, NullLogger<SnapshotPublisher>.Instance));
    }
}
