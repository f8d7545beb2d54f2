using System.Diagnostics.Metrics;
using Huntaze.Functions.Observability;

namespace Huntaze.Functions.Backups;

/// <summary>
/// <c>huntaze.backup.*</c>. The SLO "backup verified by restore within 8 days" reads
/// <c>huntaze.backup.drill.runs</c> with <c>outcome=passed</c>: no such point in 8 days breaks it.
/// </summary>
public static class BackupMetrics
{
    private static readonly Counter<long> Runs = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.runs", description: "Backups taken, by outcome.");
    private static readonly Counter<long> Rows = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.rows", description: "Rows written to backups.");
    private static readonly Counter<long> Verifications = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.verifications", description: "Backup verifications, by outcome (failed raises the alert).");
    private static readonly Counter<long> Restores = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.restores", description: "Restores finished, by target and outcome.");
    private static readonly Counter<long> DrillRuns = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.drill.runs", description: "Restore drills, by outcome (SLO: a passed drill within 8 days).");
    private static readonly Histogram<double> DrillDuration = HuntazeDiagnostics.Meter.CreateHistogram<double>("huntaze.backup.drill.duration", "s", "How long a restore drill took.");
    private static readonly Counter<long> JournalFailures = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.backup.journal.failures", description: "Flag writes whose journal row could not be written.");

    public static void Backup(string outcome, long rows)
    {
        Runs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        Rows.Add(rows);
    }

    public static void Verified(bool passed) => Verifications.Add(1, new KeyValuePair<string, object?>("outcome", passed ? "passed" : "failed"));

    public static void Restored(string target, string outcome) =>
        Restores.Add(1, new KeyValuePair<string, object?>("target", target), new KeyValuePair<string, object?>("outcome", outcome));

    public static void Drill(bool passed, TimeSpan duration)
    {
        DrillRuns.Add(1, new KeyValuePair<string, object?>("outcome", passed ? "passed" : "failed"));
        DrillDuration.Record(duration.TotalSeconds);
    }

    public static void JournalFailed() => JournalFailures.Add(1);
}
