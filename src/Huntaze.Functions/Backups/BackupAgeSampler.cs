using Huntaze.Functions.Backups.Restore;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Backups;

/// <summary>
/// Keeps the age gauges of <see cref="BackupMetrics"/> current between backups and drills: every 15 minutes,
/// the newest passed verification in the catalog and the newest passed drill record. Without it a gauge would
/// stay at the 0 it took when this instance verified, and the overdue alert could never fire. A missed run
/// only leaves the gauges 15 minutes older (the alert's thresholds are 26 hours and 8 days).
/// </summary>
public sealed class BackupAgeSampler(BackupCatalog catalog, RestoreState state, TimeProvider time)
{
    public const string Name = "BackupAgeSample";

    [Function(Name)]
    public Task RunAsync([TimerTrigger("0 */15 * * * *")] TimerInfo timer, CancellationToken cancellationToken) => SampleAsync(cancellationToken);

    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var verifiedAt = (await catalog.ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(m => m.Verified).Select(m => (DateTimeOffset?)m.Verification!.At).Max();
        var drilledAt = await state.LatestPassedDrillAtAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        BackupMetrics.SampleAges(now - verifiedAt, now - drilledAt);
    }
}
