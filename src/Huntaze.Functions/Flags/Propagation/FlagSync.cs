using System.Text.Json;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Flags.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>The health of the source → snapshot sync, as written to <c>flags/sync-status.json</c>.</summary>
public sealed record FlagSyncStatus(bool Healthy, string Source, DateTimeOffset CheckedAt, DateTimeOffset? LastSuccessAt, string? Error);

/// <summary>
/// One run of the singleton sync: publish when changed, and record its health in the status blob when the
/// health flips or once a minute (a heartbeat readiness uses to notice a sync that stopped running).
/// </summary>
public sealed partial class FlagSync(
    SnapshotPublisher publisher,
    SnapshotBlobStore blobs,
    IFlagStore store,
    FlagState state,
    IOptions<FlagsOptions> options,
    TimeProvider time,
    ILogger<FlagSync> logger)
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMinutes(1);

    private FlagSyncStatus? _written;
    private DateTimeOffset? _lastSuccess;
    private bool _seeded;

    public async Task<PublishOutcome?> RunOnceAsync(CancellationToken cancellationToken)
    {
        PublishOutcome? outcome = null;
        string? error = null;
        try
        {
            await SeedAsync(cancellationToken).ConfigureAwait(false);
            var result = await publisher.PublishAsync(cancellationToken).ConfigureAwait(false);
            outcome = result.Outcome;
            _lastSuccess = time.GetUtcNow();
            if (result.Outcome == PublishOutcome.Published)
            {
                // The instance running the sync need not wait for its own poll.
                state.Apply(result.Snapshot);
            }
        }
        catch (Exception exception) when (exception is FlagStoreUnavailableException or Azure.RequestFailedException or HttpRequestException)
        {
            error = exception.Message;
            Log.SyncFailed(logger, exception);
        }

        FlagMetrics.SyncRun(error is null ? outcome : null);
        await RecordAsync(new FlagSyncStatus(error is null, store.Kind, time.GetUtcNow(), _lastSuccess, error), cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (_seeded)
        {
            return;
        }

        try
        {
            foreach (var name in options.Value.SeedEnabled)
            {
                if (await store.GetAsync(name, cancellationToken).ConfigureAwait(false) is null)
                {
                    await store.SaveAsync(new FeatureFlag(name, true, "Seeded (Flags:SeedEnabled)."), new Dictionary<string, string>(), FlagWriteCondition.Absent, cancellationToken).ConfigureAwait(false);
                    Log.Seeded(logger, name);
                }
            }

            _seeded = true;
        }
        catch (FlagConflictException)
        {
            // Another instance seeded it first; the next run checks the rest.
        }
        catch (FlagStoreUnavailableException exception)
        {
            // Seeding is a convenience: it must never stop the sync. The next run tries again.
            Log.SeedFailed(logger, exception);
        }
    }

    private async Task RecordAsync(FlagSyncStatus status, CancellationToken cancellationToken)
    {
        if (_written is { } last && last.Healthy == status.Healthy && status.CheckedAt - last.CheckedAt < Heartbeat)
        {
            return;
        }

        try
        {
            await blobs.WriteStatusAsync(BinaryData.FromObjectAsJson(status, JsonSerializerOptions.Web), cancellationToken).ConfigureAwait(false);
            _written = status;
        }
        catch (Azure.RequestFailedException exception)
        {
            Log.StatusNotWritten(logger, exception);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Flag sync failed; instances keep serving the last published snapshot.")]
        public static partial void SyncFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5016, Level = LogLevel.Information, Message = "Seeded flag {Name} (enabled).")]
        public static partial void Seeded(ILogger logger, string name);

        [LoggerMessage(EventId = 5017, Level = LogLevel.Warning, Message = "Seeding flags failed; will retry on the next sync.")]
        public static partial void SeedFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Flag sync status could not be written.")]
        public static partial void StatusNotWritten(ILogger logger, Exception exception);
    }
}
