using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Security;
using Microsoft.FeatureManagement;

namespace Huntaze.Functions.Flags.Evaluation;

/// <summary>
/// Evaluates flags with Microsoft.FeatureManagement over the in-memory snapshot (no network call). While
/// the kill switch is active (or nothing is loaded), <c>Onboarding</c> and every <c>Onboarding.*</c> gate are off.
/// </summary>
public sealed class FeatureGate(IVariantFeatureManager features, IKillSwitch killSwitch, FlagState state, IRolloutObjections? objections = null) : IFeatureGate
{
    public async ValueTask<bool> IsEnabledAsync(string feature, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        // Nothing loaded (fail-safe) or not declared: off, without asking the library (which logs a warning
        // for every undeclared feature it is asked about, e.g. step gates nobody has created yet).
        if (state.Snapshot is not { } snapshot || !snapshot.Flags.ContainsKey(feature))
        {
            return false;
        }

        if (IsOnboardingGate(feature) && killSwitch.Current.Active)
        {
            return false;
        }

        // An objection to experimentation (Art. 21), or a missing consent the flag needs, takes the caller out of
        // every percentage: only a by-name listing (and no exclusion) still turns a targeted flag on.
        if (snapshot.TryGet(feature, out var flag) && flag.Targeting is { } audience && objections is not null &&
            await objections.ObjectsAsync(feature, caller.UserId, cancellationToken).ConfigureAwait(false))
        {
            return flag.Enabled && audience.Users.Contains(caller.UserId, StringComparer.Ordinal) && !audience.ExcludedUsers.Contains(caller.UserId, StringComparer.Ordinal);
        }

        return await features.IsEnabledAsync(feature, CallerTargeting.Create(caller), cancellationToken).ConfigureAwait(false);
    }

    private static bool IsOnboardingGate(string feature) =>
        feature == FeatureNames.Onboarding ||
        (feature.StartsWith(FeatureNames.Onboarding + ".", StringComparison.Ordinal) && feature != FeatureNames.KillSwitch);
}
