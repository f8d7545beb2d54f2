using Huntaze.Functions.Platform.Hosting;
using System.Diagnostics.Metrics;
using Azure;
using Huntaze.Functions.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>What one poll did: <see cref="NotModified"/> is the blob answering 304 to our <c>If-None-Match</c>.</summary>
public enum PollOutcome
{
    Applied,
    Read,
    NotModified,
    NotPublished,
    Failed,
}

/// <summary>
/// Runs in every instance of both hosts: polls <c>flags/snapshot.json</c> with <c>If-None-Match</c> every
/// <see cref="FlagsOptions.SnapshotPollSeconds"/> (one storage transaction, a 304 almost always) and installs a
/// changed snapshot. Start-up waits (bounded) for the first snapshot so a cold instance rarely serves the
/// fail-safe set. Failures keep the last-known-good set.
/// </summary>
public sealed partial class SnapshotPoller(
    SnapshotBlobStore blobs,
    FlagState state,
    FlagSync sync,
    IOptions<FlagsOptions> options,
    TimeProvider time,
    ILogger<SnapshotPoller> logger) : BackgroundService
{
    private string? _etag;
    private ObservableGauge<double>? _ageGauge;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _ageGauge ??= HuntazeDiagnostics.Meter.CreateObservableGauge(
            "huntaze.flags.snapshot_age_seconds",
            () => state.AgeSeconds,
            unit: "s",
            description: "Seconds since this instance last confirmed its flag set is the published one.");
        using var initial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        initial.CancelAfter(TimeSpan.FromSeconds(options.Value.InitialLoadTimeoutSeconds));
        try
        {
            if (await PollOnceAsync(initial.Token).ConfigureAwait(false) == PollOutcome.NotPublished)
            {
                // Nothing was ever published (a new deployment or storage account): publish from the source
                // once rather than serve the fail-safe set until the sync's next tick.
                await sync.RunOnceAsync(initial.Token).ConfigureAwait(false);
                await PollOnceAsync(initial.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            state.Fail("The first snapshot read timed out.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Start-up must not fail because flags cannot be loaded: the instance serves the fail-safe set
            // and the loop below keeps trying.
            state.Fail("The first snapshot could not be loaded.");
            Log.PollFailed(logger, exception);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(
            TimeSpan.FromSeconds(options.Value.SnapshotPollSeconds),
            time,
            PollOnceAsync,
            exception =>
            {
                state.Fail("The snapshot poll failed unexpectedly.");
                Log.PollFailed(logger, exception);
            },
            stoppingToken);

    /// <summary>One conditional read. Never throws for storage or format failures (they are recorded on the state).</summary>
    public async Task<PollOutcome> PollOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var read = await blobs.ReadIfChangedAsync(_etag, cancellationToken).ConfigureAwait(false);
            switch (read.Outcome)
            {
                case BlobReadOutcome.Changed:
                    var snapshot = FlagSnapshot.Parse(read.Content);
                    _etag = read.ETag;
                    if (!state.Apply(snapshot))
                    {
                        return PollOutcome.Read;
                    }

                    Log.Applied(logger, snapshot.Hash, snapshot.Flags.Count);
                    return PollOutcome.Applied;
                case BlobReadOutcome.NotModified:
                    state.Confirm();
                    return PollOutcome.NotModified;
                default:
                    state.Fail("No flag snapshot has been published yet.");
                    return PollOutcome.NotPublished;
            }
        }
        catch (Exception exception) when (exception is RequestFailedException or FormatException or AggregateException or HttpRequestException
                                              || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            state.Fail(exception is FormatException ? "The published snapshot is malformed." : "The snapshot blob is unreachable.");
            Log.PollFailed(logger, exception);
        }

        return PollOutcome.Failed;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "Flag snapshot {Hash} applied ({Count} flags).")]
        public static partial void Applied(ILogger logger, string hash, int count);

        [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "Flag snapshot poll failed; serving the last-known-good flags.")]
        public static partial void PollFailed(ILogger logger, Exception exception);
    }
}
