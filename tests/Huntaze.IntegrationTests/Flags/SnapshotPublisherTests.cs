using Azure.Core;
using Azure.Core.Pipeline;
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
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.IntegrationTests.Flags;

/// <summary>The table store, the publisher and the poller against Azurite, each test in a table and container of its own.</summary>
public sealed class SnapshotPublisherTests(HostFixture fixture)
{
    private readonly StorageClients _storage = new(
        new TableServiceClient(fixture.Azurite.ConnectionString),
        new BlobServiceClient(fixture.Azurite.ConnectionString),
        "pub" + Guid.NewGuid().ToString("N")[..8],
        Huntaze.Functions.Privacy.Registry.DataMap.Create());

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
    public async Task SaveAsync_StaleETagWithContentEqualToTheCurrent_IsStillAConflict()
    {
        var ct = TestContext.Current.CancellationToken;
        var (store, _, _) = Create();
        var first = await store.SaveAsync(new FeatureFlag("F", false), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct);
        await store.SaveAsync(new FeatureFlag("F", true), new Dictionary<string, string>(), FlagWriteCondition.Matching(first.ETag), ct);

        await Assert.ThrowsAsync<FlagConflictException>(() =>
            store.SaveAsync(new FeatureFlag("F", true), new Dictionary<string, string>(), FlagWriteCondition.Matching(first.ETag), ct));
    }

    [Fact]
    public async Task SaveAsync_CreateWhoseResponseIsLostThenRetriedInto409_IsRecognisedAsWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        var lose = new LoseFirstResponsePolicy();
        var options = new TableClientOptions();
        options.AddPolicy(lose, HttpPipelinePosition.PerRetry);
        var storage = new StorageClients(
            new TableServiceClient(fixture.Azurite.ConnectionString, options),
            new BlobServiceClient(fixture.Azurite.ConnectionString),
            "lost" + Guid.NewGuid().ToString("N")[..8],
            Huntaze.Functions.Privacy.Registry.DataMap.Create());
        var store = new TableFlagStore(storage);
        await store.ListAsync(ct);
        lose.Armed = true;

        var saved = await store.SaveAsync(new FeatureFlag("F", true), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct);

        Assert.False(lose.Armed);
        Assert.Equal(saved.ETag, (await store.GetAsync("F", ct))!.ETag);
    }

    [Fact]
    public async Task SaveAsync_DocumentLongerThanOneTableProperty_IsSplitAndReadBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var (store, _, _) = Create();
        var users = Enumerable.Range(0, 2_000).Select(i => $"user-{i:D5}-{Guid.Empty:N}").ToList();

        await store.SaveAsync(new FeatureFlag("Big", true, null, Audience.Nobody with { Users = users }), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct);

        var read = (await store.GetAsync("Big", ct))!;
        Assert.True(read.Text.Length > TableFlagStore.ChunkLength);
        Assert.Equal(users, read.Flag!.Targeting!.Users);
    }

    [Fact]
    public async Task SaveAsync_DocumentBeyondTheEntity_IsRefusedNamingTheLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        var (store, _, _) = Create();
        var users = Enumerable.Range(0, 12_000).Select(i => $"user-{i:D5}-{Guid.Empty:N}").ToList();

        var error = await Assert.ThrowsAsync<FlagTooLargeException>(() =>
            store.SaveAsync(new FeatureFlag("Huge", true, null, Audience.Nobody with { Users = users }), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct));

        Assert.Contains($"at most {TableFlagStore.MaxDocumentLength}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_HealthUnchangedForHours_WritesTheStatusBlobOnceAndAgainOnlyWhenItChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        var (store, blobs, _) = Create();
        var failing = new SwitchableStore(store);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var state = new FlagState(time);
        var sync = new FlagSync(
            new SnapshotPublisher(failing, blobs, time, NullLogger<SnapshotPublisher>.Instance),
            new FlagSyncStatusStore(_storage), failing, state, Options.Create(new FlagsOptions()), time, NullLogger<FlagSync>.Instance);
        var status = (await _storage.GetContainerAsync(SnapshotBlobStore.Container, ct)).GetBlobClient(FlagSyncStatusStore.StatusBlob);

        await sync.RunOnceAsync(ct);
        var written = (await status.GetPropertiesAsync(cancellationToken: ct)).Value.ETag;
        for (var i = 0; i < 5; i++)
        {
            time.Advance(FlagSync.Heartbeat * 2);
            await sync.RunOnceAsync(ct);
        }

        var unchanged = (await status.GetPropertiesAsync(cancellationToken: ct)).Value.ETag;
        failing.Fail = true;
        await sync.RunOnceAsync(ct);
        await sync.RunOnceAsync(ct);
        var failed = (await status.GetPropertiesAsync(cancellationToken: ct)).Value;

        Assert.Equal(written, unchanged);
        Assert.NotEqual(written, failed.ETag);
        Assert.False((await new FlagSyncStatusStore(_storage).ReadStatusAsync(ct))!.Healthy);
        Assert.Equal(time.GetUtcNow(), (await new FlagSyncStatusStore(_storage).ReadHeartbeatAsync(ct))!.CheckedAt);
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

    /// <summary>Lets the first armed request reach storage (it commits), then loses its response: the SDK retries.</summary>
    private sealed class LoseFirstResponsePolicy : HttpPipelinePolicy
    {
        public bool Armed { get; set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (Armed && message.Request.Method == RequestMethod.Post)
            {
                Armed = false;
                throw new IOException("The connection was reset after the request was sent.");
            }
        }
    }

    private sealed class SwitchableStore(IFlagStore inner) : IFlagStore
    {
        public bool Fail { get; set; }

        public string Kind => inner.Kind;

        public Task<IReadOnlyList<StoredDocument>> ListAsync(CancellationToken cancellationToken) =>
            Fail ? throw new FlagStoreUnavailableException("down") : inner.ListAsync(cancellationToken);

        public Task<StoredDocument?> GetAsync(string name, CancellationToken cancellationToken) => inner.GetAsync(name, cancellationToken);

        public Task<StoredFlag> SaveAsync(FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken) =>
            inner.SaveAsync(flag, tags, condition, cancellationToken);
    }

    private (TableFlagStore Store, SnapshotBlobStore Blobs, SnapshotPublisher Publisher) Create()
    {
        var store = new TableFlagStore(_storage);
        var blobs = new SnapshotBlobStore(_storage);
        return (store, blobs, new SnapshotPublisher(store, blobs, TimeProvider.System, NullLogger<SnapshotPublisher>.Instance));
    }
}
