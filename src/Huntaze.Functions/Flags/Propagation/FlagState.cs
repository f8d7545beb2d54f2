using Huntaze.Functions.Flags.Documents;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// The flag set this instance serves, held in memory so evaluation never touches the network. It is
/// replaced only by a valid snapshot of a later generation: outages keep the last-known-good set, and a
/// delayed apply of an older set never wins over a newer one. Before any snapshot is known the set is empty
/// and <see cref="IsLoaded"/> is false (fail-safe defaults, docs/flags.md).
/// </summary>
public sealed class FlagState(TimeProvider time)
{
    private readonly Lock _gate = new();
    private volatile Loaded? _current;
    private long _lastConfirmedTicks;

    public event Action<FlagSnapshot>? Changed;

    public FlagSnapshot? Snapshot => _current?.Snapshot;

    public bool IsLoaded => _current is not null;

    /// <summary>When this instance last saw the kill switch change (or first learnt its state).</summary>
    public DateTimeOffset? KillSwitchObservedAt => _current?.KillSwitchObservedAt;

    /// <summary>When this instance last confirmed its set is the published one (a 200 or 304 from the snapshot blob).</summary>
    public DateTimeOffset? LastConfirmedAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastConfirmedTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public string? LastError { get; private set; }

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Seconds since the set was last confirmed current (since start when never): the exported gauge.</summary>
    public double AgeSeconds => (time.GetUtcNow() - (LastConfirmedAt ?? StartedAt)).TotalSeconds;

    /// <summary>
    /// Installs <paramref name="snapshot"/> unless it is the one already served or older than it (a lower
    /// generation); true when it changed anything.
    /// </summary>
    public bool Apply(FlagSnapshot snapshot)
    {
        Loaded next;
        lock (_gate)
        {
            var previous = _current;
            Confirm();
            if (previous is not null && (previous.Snapshot.Hash == snapshot.Hash || snapshot.Generation < previous.Snapshot.Generation))
            {
                return false;
            }

            var now = time.GetUtcNow();
            var observedAt = previous is not null && KillSwitchActive(previous.Snapshot) == KillSwitchActive(snapshot) &&
                             KillSwitchReason(previous.Snapshot) == KillSwitchReason(snapshot)
                ? previous.KillSwitchObservedAt
                : now;
            next = new Loaded(snapshot, observedAt);
            _current = next;
            if (previous is not null)
            {
                var active = KillSwitchActive(snapshot);
                FlagMetrics.Applied(KillSwitchActive(previous.Snapshot) != active, active, now - snapshot.PublishedAt);
            }
        }

        Changed?.Invoke(next.Snapshot);
        return true;
    }

    public void Confirm()
    {
        Interlocked.Exchange(ref _lastConfirmedTicks, time.GetUtcNow().UtcTicks);
        LastError = null;
    }

    public void Fail(string error) => LastError = error;

    /// <summary>Enabled means active (its filters are not consulted: the switch is global); unreadable also means active.</summary>
    public static bool KillSwitchActive(FlagSnapshot snapshot) =>
        KillSwitchUnreadable(snapshot) || (snapshot.TryGet(FeatureNames.KillSwitch, out var flag) && flag.Enabled);

    public static string? KillSwitchReason(FlagSnapshot snapshot) =>
        KillSwitchUnreadable(snapshot) ? UnreadableKillSwitchReason
        : snapshot.TryGet(FeatureNames.KillSwitch, out var flag) && flag.Enabled ? flag.Description
        : null;

    /// <summary>Shown to users too, so it names no document detail; readiness and the admin API give those.</summary>
    public const string UnreadableKillSwitchReason = "The kill-switch flag cannot be read, so it counts as active (fail-safe).";

    private static bool KillSwitchUnreadable(FlagSnapshot snapshot) => snapshot.Unreadable.Any(u => u.Names(FeatureNames.KillSwitch));

    private sealed record Loaded(FlagSnapshot Snapshot, DateTimeOffset KillSwitchObservedAt);
}
