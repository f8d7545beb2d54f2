using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// The one App Configuration reader: every 2 s, whatever the instance count (timer triggers are singletons
/// across instances). Cost and request budget: docs/decisions/0001-flag-propagation.md.
/// </summary>
public sealed class FlagSyncFunction(FlagSync sync)
{
    /// <summary>Six-field NCRONTAB: every 2 seconds.</summary>
    public const string Schedule = "*/2 * * * * *";

    // UseMonitor = false: the schedule monitor only matters for schedules longer than a minute and would add
    // a storage write per run.
    [Function("FlagSnapshotSync")]
    public Task Run([TimerTrigger(Schedule, UseMonitor = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        sync.RunOnceAsync(cancellationToken);
}
