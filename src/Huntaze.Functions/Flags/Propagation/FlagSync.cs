using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// One run of the singleton sync: publish when changed, record its health when the health changes, and beat
/// the heartbeat once a minute (readiness uses it to notice a sync that stopped running). Bad content never
/// makes a run throw: unreadable documents are published as such (<see cref="FlagSnapshot.Unreadable"/>).
/// </summary>
public sealed partial class FlagSync(
    SnapshotPublisher publisher,
    FlagSyncStatusStore reports,
    IFlagStore store,
    FlagState state,
    IOptions<FlagsOptions> options,
    TimeProvider time,
    ILogger<FlagSync> logger)
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMinutes(1);

    private FlagSyncStatus? _written;
    private DateTimeOffset? _lastBeat;
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
        catch (Exception exception) when (exception is FlagStoreUnavailableException or Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            error = exception.Message;
            Log.SyncFailed(logger, exception);
        }
#pragma warning disable CA1031 // A run must never throw: whatever went wrong is reported, and the next tick tries again.
        catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            error = "The flag sync failed unexpectedly.";
            Log.SyncFailed(logger, exception);
        }

        FlagMetrics.SyncRun(error is null ? outcome : null);
        await RecordAsync(error, cancellationToken).ConfigureAwait(false);
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

    private async Task RecordAsync(string? error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = new FlagSyncStatus(error is null, store.Kind, now, error);
        try
        {
            // After a start the blob may already say the same: read it once rather than rewrite it.
            _written ??= await reports.ReadStatusAsync(cancellationToken).ConfigureAwait(false);
            if (_written is null || !_written.SameAs(status))
            {
                await reports.WriteStatusAsync(status, cancellationToken).ConfigureAwait(false);
                _written = status;
            }

            if (_lastBeat is null || now - _lastBeat >= Heartbeat)
            {
                await reports.WriteHeartbeatAsync(new FlagSyncHeartbeat(now, _lastSuccess), cancellationToken).ConfigureAwait(false);
                _lastBeat = now;
            }
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or AggregateException)
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
