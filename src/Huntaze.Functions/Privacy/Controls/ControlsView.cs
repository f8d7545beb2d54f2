using Huntaze.Functions.Platform.Hosting;
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
    private long _lastFailureTicks;

    /// <exception cref="ControlsUnavailableException">Never loaded, and storage cannot be read now.</exception>
    public async ValueTask<bool> HasAsync(ControlKind kind, string userId, CancellationToken cancellationToken)
    {
        var snapshot = _current ?? await LoadFirstAsync(cancellationToken).ConfigureAwait(false);
        // Restrictions and objections are rare: most requests meet an empty set and skip the keyed hash.
        return snapshot.Any(kind) && snapshot.Contains(kind, await references.OfAsync(userId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Unknown controls refuse the write (503): a restricted user's data must not change.</summary>
    public async ValueTask<bool> IsRestrictedAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            return await HasAsync(ControlKind.Restriction, userId, cancellationToken).ConfigureAwait(false);
        }
        catch (ControlsUnavailableException)
        {
            throw Problems.DependencyUnavailable("Processing restrictions cannot be read from storage; changes are refused until they can.");
        }
    }

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
        catch (ControlsUnavailableException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Not loaded yet: the poller and later callers try again; until then the hooks decide as documented.
            Log.PollFailed(logger, exception);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _firstLoad.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(TimeSpan.FromSeconds(options.Value.ControlsPollSeconds), time, PollAsync, exception => Log.PollFailed(logger, exception), stoppingToken);

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var (snapshot, etag) = await index.ReadAsync(_etag, cancellationToken).ConfigureAwait(false);
        if (snapshot is not null)
        {
            _current = snapshot;
            _etag = etag;
        }
    }

    /// <summary>
    /// The first load, shared by concurrent callers. A failure is remembered for one poll interval, so a
    /// storage outage costs callers one failed attempt per interval, not one each.
    /// </summary>
    private async ValueTask<ControlsSnapshot> LoadFirstAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.ControlsPollSeconds);
        if (time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastFailureTicks) < interval.Ticks)
        {
            throw new ControlsUnavailableException("The privacy controls index could not be read recently.");
        }

        await _firstLoad.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is null)
            {
                // Warm the key too, so later checks are pure memory.
                await references.HasherAsync(cancellationToken).ConfigureAwait(false);
                await PollAsync(cancellationToken).ConfigureAwait(false);
            }

            return _current!;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _lastFailureTicks, time.GetUtcNow().UtcTicks);
            throw new ControlsUnavailableException("The privacy controls index cannot be read.", exception);
        }
        finally
        {
            _firstLoad.Release();
        }
    }

    /// <summary>Never loaded, and storage cannot be read now.</summary>
    public sealed class ControlsUnavailableException : Exception
    {
        public ControlsUnavailableException()
        {
        }

        public ControlsUnavailableException(string message)
            : base(message)
        {
        }

        public ControlsUnavailableException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Privacy controls index could not be read; serving the last known one.")]
        public static partial void PollFailed(ILogger logger, Exception exception);
    }
}
