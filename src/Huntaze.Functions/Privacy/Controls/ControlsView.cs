using Azure;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Privacy.Subjects;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy.Controls;

/// <summary>
/// The restrictions and objections in force, in memory on every instance: onboarding writes and
/// <see cref="ProcessingPermissions"/> (the event filter and flag evaluation) ask it without a storage call. It polls <c>privacy/controls.json</c> every
/// <see cref="PrivacyOptions.ControlsPollSeconds"/> (a 304 almost always) and takes changes made on this
/// instance at once, so another instance applies a change within one poll interval.
/// </summary>
public sealed partial class ControlsView(
    ControlsIndexBlob index,
    SubjectReferences references,
    IOptions<PrivacyOptions> options,
    TimeProvider time,
    ILogger<ControlsView> logger) : BackgroundService, IProcessingRestriction
{
    private readonly SemaphoreSlim _firstLoad = new(1, 1);
    private volatile ControlsSnapshot? _current;
    private string? _etag;

    public async ValueTask<bool> HasAsync(ControlKind kind, string userId, CancellationToken cancellationToken)
    {
        var snapshot = _current ?? await LoadFirstAsync(cancellationToken).ConfigureAwait(false);
        return snapshot.Contains(kind, await references.OfAsync(userId, cancellationToken).ConfigureAwait(false));
    }

    public ValueTask<bool> IsRestrictedAsync(string userId, CancellationToken cancellationToken) => HasAsync(ControlKind.Restriction, userId, cancellationToken);

    /// <summary>Takes a change this instance just published.</summary>
    public void Apply(ControlsSnapshot snapshot) => _current = snapshot;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var initial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            initial.CancelAfter(TimeSpan.FromSeconds(5));
            await LoadFirstAsync(initial.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RequestFailedException or OperationCanceledException || DependencyFailure.IsOutage(exception, cancellationToken))
        {
            // Not loaded yet: the first caller loads it (and fails, rather than guess, if storage is down).
            Log.PollFailed(logger, exception);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _firstLoad.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ControlsPollSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await PollAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A background service that throws stops the host; the last-known index keeps serving.
                Log.PollFailed(logger, exception);
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var (snapshot, etag) = await index.ReadAsync(_etag, cancellationToken).ConfigureAwait(false);
        if (snapshot is not null)
        {
            _current = snapshot;
            _etag = etag;
        }
    }

    /// <summary>The first load, shared by concurrent callers; a failure is not cached.</summary>
    private async ValueTask<ControlsSnapshot> LoadFirstAsync(CancellationToken cancellationToken)
    {
        await _firstLoad.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is null)
            {
                await PollAsync(cancellationToken).ConfigureAwait(false);
                // Warm the key too, so later checks are pure memory.
                await references.HasherAsync(cancellationToken).ConfigureAwait(false);
            }

            return _current!;
        }
        finally
        {
            _firstLoad.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Privacy controls index could not be read; serving the last known one.")]
        public static partial void PollFailed(ILogger logger, Exception exception);
    }
}
