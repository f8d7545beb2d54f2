using System.Diagnostics.Metrics;
using Huntaze.Functions.Observability;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// Flag instruments on the app's one meter (the snapshot-age gauge lives with <see cref="SnapshotPoller"/>, which
/// owns the state it reads). The kill-switch propagation and flag-set freshness SLOs are built on these.
/// </summary>
public static class FlagMetrics
{
    public const string ChangesInstrument = "huntaze.flags.changes";
    public const string KillSwitchFlipsInstrument = "huntaze.flags.kill_switch.flips";
    public const string PropagationDelayInstrument = "huntaze.flags.propagation.delay";
    public const string SyncRunsInstrument = "huntaze.flags.sync.runs";

    private static readonly Counter<long> Changes = HuntazeDiagnostics.Meter.CreateCounter<long>(
        ChangesInstrument, "{change}", "Changed flag sets this instance applied, by whether the kill switch changed with them.");

    private static readonly Counter<long> KillSwitchFlips = HuntazeDiagnostics.Meter.CreateCounter<long>(
        KillSwitchFlipsInstrument, "{flip}", "Kill-switch state changes this instance applied, by the new state.");

    private static readonly Histogram<double> PropagationDelay = HuntazeDiagnostics.Meter.CreateHistogram<double>(
        PropagationDelayInstrument, "s", "Seconds from a snapshot's publication to this instance applying it (clocks of two instances: approximate).");

    private static readonly Counter<long> SyncRuns = HuntazeDiagnostics.Meter.CreateCounter<long>(
        SyncRunsInstrument, "{run}", "Flag sync runs (source to snapshot blob), by outcome: published, unchanged, lost_race, failed.");

    /// <summary>A newer flag set replaced the one this instance served (not the first load).</summary>
    public static void Applied(bool killSwitchChanged, bool killSwitchActive, TimeSpan delay)
    {
        var changed = new KeyValuePair<string, object?>("kill_switch_changed", killSwitchChanged);
        Changes.Add(1, changed);
        PropagationDelay.Record(Math.Max(0, delay.TotalSeconds), changed);
        if (killSwitchChanged)
        {
            KillSwitchFlips.Add(1, new KeyValuePair<string, object?>("active", killSwitchActive));
        }
    }

    public static void SyncRun(PublishOutcome? outcome) =>
        SyncRuns.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            PublishOutcome.Published => "published",
            PublishOutcome.Unchanged => "unchanged",
            PublishOutcome.LostRace => "lost_race",
            _ => "failed",
        }));
}
