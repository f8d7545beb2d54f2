namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// The kill switch as this instance sees it: the <c>Onboarding.KillSwitch</c> flag enabled means active, its
/// description is the reason. With no flag set known yet (cold start, storage unreachable) it reports active:
/// the fail-safe is to keep onboarding writes off rather than run without the switch (docs/flags.md).
/// </summary>
public sealed class KillSwitch(FlagState state) : IKillSwitch
{
    public const string NotLoadedReason = "Flags are not loaded yet on this instance (fail-safe).";

    public KillSwitchState Current =>
        state.Snapshot is { } snapshot
            ? new KillSwitchState(FlagState.KillSwitchActive(snapshot), FlagState.KillSwitchReason(snapshot), state.KillSwitchObservedAt)
            : new KillSwitchState(true, NotLoadedReason, null);
}
