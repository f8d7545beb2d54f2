using System.Diagnostics.Metrics;
using Huntaze.Functions.Observability;

namespace Huntaze.Functions.Backups;

/// <summary>
/// <c>huntaze.backup.*</c>, named as the SLO <c>backup-verified</c> and the alert <c>backup-failed</c> query them
/// (observability/slo.json): verifications by outcome (<c>verified</c> / <c>failed</c>), restore drills by outcome,
/// and two age gauges (seconds since the last passed verification and the last passed drill) that the
/// alert compares with 26 hours and 8 days. The gauges report nothing until this process knows a value: a
/// verification or drill it ran, or <see cref="BackupAgeSampler"/>'s reading of the catalog and drill records.
/// </summary>
public static class BackupMetrics
{
    public const string VerifiedOutcome = "verified";
    public const string FailedOutcome = "failed";

    private static readonly Counter<long> Runs = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.runs", description: "Backups taken, by outcome.");
    private static readonly Counter<long> Rows = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.rows", description: "Rows written to backups.");
    private static readonly Counter<long> Verifications = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.verifications", description: "Backup verifications, by outcome: verified or failed (SLO backup-verified; failed raises backup-failed).");
    private static readonly Counter<long> Restores = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.restores", description: "Restores finished, by target and outcome.");
    private static readonly Counter<long> RestoreDrills = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.restore_drills", description: "Restore drills, by outcome: passed or failed.");
    private static readonly Histogram<double> DrillDuration = HuntazeDiagnostics.Meter.CreateHistogram<double>("huntaze.backup.restore_drill.duration", "s", "How long a restore drill took.");
    private static readonly Counter<long> JournalFailures = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.journal.failures", description: "Flag writes whose journal row could not be written.");

    private static double _lastVerifiedAgeSeconds = double.NaN;
    private static double _lastDrillAgeSeconds = double.NaN;

    static BackupMetrics()
    {
        HuntazeDiagnostics.Meter.CreateObservableGauge("huntaze.backup.last_verified_age_seconds", () => Observe(ref _lastVerifiedAgeSeconds), "s", "Seconds since the last backup verification that passed (alert backup-failed above 26 h).");
        HuntazeDiagnostics.Meter.CreateObservableGauge("huntaze.backup.last_restore_drill_age_seconds", () => Observe(ref _lastDrillAgeSeconds), "s", "Seconds since the last restore drill that passed (alert backup-failed above 8 days).");
    }

    public static void Backup(string outcome, long rows)
    {
        Runs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        Rows.Add(rows);
    }

    public static void Verified(bool passed)
    {
        Verifications.Add(1, new KeyValuePair<string, object?>("outcome", passed ? VerifiedOutcome : FailedOutcome));
        if (passed)
        {
            Volatile.Write(ref _lastVerifiedAgeSeconds, 0);
        }
    }

    public static void Restored(string target, string outcome) =>
        Restores.Add(1, new KeyValuePair<string, object?>("target", target), new KeyValuePair<string, object?>("outcome", outcome));

    public static void Drill(bool passed, TimeSpan duration)
    {
        RestoreDrills.Add(1, new KeyValuePair<string, object?>("outcome", passed ? "passed" : "failed"));
        DrillDuration.Record(duration.TotalSeconds);
        if (passed)
        {
            Volatile.Write(ref _lastDrillAgeSeconds, 0);
        }
    }

    /// <summary>The ages read from storage (null: nothing passed yet, the gauge keeps what it had).</summary>
    public static void SampleAges(TimeSpan? sinceVerified, TimeSpan? sinceDrill)
    {
        if (sinceVerified is { } verified)
        {
            Volatile.Write(ref _lastVerifiedAgeSeconds, Math.Max(0, verified.TotalSeconds));
        }

        if (sinceDrill is { } drill)
        {
            Volatile.Write(ref _lastDrillAgeSeconds, Math.Max(0, drill.TotalSeconds));
        }
    }

    public static void JournalFailed() => JournalFailures.Add(1);

    private static IEnumerable<Measurement<double>> Observe(ref double field)
    {
        var value = Volatile.Read(ref field);
        return double.IsNaN(value) ? [] : [new Measurement<double>(value)];
    }
}
