using Huntaze.Functions.Security;

namespace Huntaze.Functions.Flags;

/// <summary>The well-known flags.</summary>
public static class FeatureNames
{
    /// <summary>The onboarding experience as a whole.</summary>
    public const string Onboarding = "Onboarding";

    /// <summary>The emergency kill switch: on means onboarding is off everywhere.</summary>
    public const string KillSwitch = "Onboarding.KillSwitch";
}

/// <summary>Evaluates flags for a caller from the flag set already in memory: no network call.</summary>
public interface IFeatureGate
{
    ValueTask<bool> IsEnabledAsync(string feature, Caller caller, CancellationToken cancellationToken);
}

/// <summary>The kill switch as this instance currently sees it.</summary>
public sealed record KillSwitchState(bool Active, string? Reason, DateTimeOffset? ObservedAt);

public interface IKillSwitch
{
    KillSwitchState Current { get; }
}
