using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Health;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// Reports the flag store in use and the age of the served set. Never unhealthy (flags always serve: the
/// last-known-good set or the fail-safe defaults) but degraded when nothing is loaded, the snapshot blob
/// cannot be read, the set is older than <see cref="FlagsOptions.StaleAfterSeconds"/>, a flag document cannot
/// be used, the singleton sync reports the source unreachable (or has stopped reporting), or its reports
/// cannot be read (storage down): every failure here is a reason, never an exception.
/// </summary>
public sealed class FlagsReadinessCheck(IFlagStore store, FlagState state, FlagSyncStatusStore reports, IOptions<FlagsOptions> options, TimeProvider time) : IReadinessCheck
{
    private static readonly TimeSpan ReportsCacheFor = TimeSpan.FromSeconds(2);

    /// <summary>The reports' share of the probe's deadline: what is left is for answering degraded in time.</summary>
    private static readonly TimeSpan ReportsBudget = TimeSpan.FromSeconds(1);

    private (DateTimeOffset ReadAt, SyncReports Reports)? _cached;

    public string Name => "flags";

    public async Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        var sync = await ReadReportsAsync(cancellationToken).ConfigureAwait(false);
        var age = state.AgeSeconds;
        var problems = new List<string>();
        if (!state.IsLoaded)
        {
            problems.Add("no flag set loaded: serving fail-safe defaults");
        }

        if (state.LastError is { } error)
        {
            problems.Add(error);
        }

        if (state.IsLoaded && age > options.Value.StaleAfterSeconds)
        {
            problems.Add($"flag set last confirmed {age:F0} s ago");
        }

        foreach (var unreadable in state.Snapshot?.Unreadable ?? [])
        {
            problems.Add(Describe(unreadable));
        }

        if (sync.Failure is { } failure)
        {
            problems.Add($"flag sync reports cannot be read ({failure}): serving last-known-good flags");
        }
        else if (sync.Status is { Healthy: false })
        {
            problems.Add($"flag source ({sync.Status.Source}) unreachable: serving last-known-good flags");
        }

        if (sync.Failure is null && sync.Heartbeat is { } beat && time.GetUtcNow() - beat.CheckedAt > FlagSync.Heartbeat * 3)
        {
            problems.Add("flag sync has not reported for over 3 minutes");
        }

        var data = new Dictionary<string, object?>
        {
            ["store"] = store.Kind,
            ["loaded"] = state.IsLoaded,
            ["snapshotAgeSeconds"] = Math.Round(age, 1),
            ["snapshotHash"] = state.Snapshot?.Hash,
            ["snapshotGeneration"] = state.Snapshot?.Generation,
            ["unreadableFlags"] = state.Snapshot?.Unreadable.Select(u => u.Key).ToList(),
            ["sourceReachable"] = sync.Status?.Healthy,
            ["lastSyncSuccessAt"] = sync.Heartbeat?.LastSuccessAt,
        };
        return new ReadinessResult(
            problems.Count == 0 ? ReadinessStatus.Healthy : ReadinessStatus.Degraded,
            problems.Count == 0 ? null : string.Join("; ", problems),
            data);
    }

    private static string Describe(UnreadableFlag flag)
    {
        var effect = flag.Names(FeatureNames.KillSwitch) ? "the kill switch counts as active (fail-safe)"
            : flag.LastGood is not null ? "serving its last readable version"
            : "off (no readable version known)";
        return $"flag document '{flag.Key}' cannot be used ({string.Join(" ", flag.Errors)}): {effect}";
    }

    private async Task<SyncReports> ReadReportsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cached is { } cached && now - cached.ReadAt < ReportsCacheFor)
        {
            return cached.Reports;
        }

        SyncReports read;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(ReportsBudget);
        try
        {
            var status = reports.ReadStatusAsync(budget.Token);
            var heartbeat = reports.ReadHeartbeatAsync(budget.Token);
            read = new SyncReports(await status.ConfigureAwait(false), await heartbeat.ConfigureAwait(false), null);
        }
        catch (OperationCanceledException)
        {
            read = new SyncReports(null, null, "storage did not answer in time");
        }
#pragma warning disable CA1031 // Storage down must read as degraded: last-known-good flags still serve.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            read = new SyncReports(null, null, exception is Azure.RequestFailedException { Status: > 0 } r ? $"storage answered {r.Status}" : "storage unreachable");
        }

        _cached = (now, read);
        return read;
    }

    private sealed record SyncReports(FlagSyncStatus? Status, FlagSyncHeartbeat? Heartbeat, string? Failure);
}
