using Huntaze.Functions.Flags;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding;

/// <summary>Whether onboarding is on for a caller (kill switch, flag) and which steps they are offered.</summary>
public sealed class OnboardingAccess(StepCatalog catalog, IFeatureGate gate, IKillSwitch killSwitch, IOptions<OnboardingOptions> options, IProcessingRestriction? restriction = null)
{
    public const string KillSwitchReason = "kill_switch";
    public const string NotEnabledReason = "not_enabled";

    /// <summary>Null when onboarding is on for the caller, else the reason it is off.</summary>
    public async ValueTask<string?> DisabledReasonAsync(Caller caller, CancellationToken cancellationToken)
    {
        var kill = killSwitch.Current;
        if (kill.Active)
        {
            return string.IsNullOrWhiteSpace(kill.Reason) ? KillSwitchReason : kill.Reason;
        }

        return await gate.IsEnabledAsync(FeatureNames.Onboarding, caller, cancellationToken).ConfigureAwait(false) ? null : NotEnabledReason;
    }

    /// <summary>Throws 503 (kill switch, with Retry-After) or 404 (flag off) unless the caller may use onboarding.</summary>
    public async ValueTask EnsureEnabledAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (killSwitch.Current.Active)
        {
            throw Problems.OnboardingDisabled(killSwitch.Current.Reason ?? KillSwitchReason, TimeSpan.FromSeconds(options.Value.KillSwitchRetryAfterSeconds));
        }

        if (!await gate.IsEnabledAsync(FeatureNames.Onboarding, caller, cancellationToken).ConfigureAwait(false))
        {
            throw Problems.NotFound("Onboarding is not offered to this account.");
        }
    }

    /// <summary>As <see cref="EnsureEnabledAsync"/>, and 409 while the user has restricted processing (Art. 18): the entry of every write.</summary>
    public async ValueTask EnsureWritableAsync(Caller caller, CancellationToken cancellationToken)
    {
        await EnsureEnabledAsync(caller, cancellationToken).ConfigureAwait(false);
        if (restriction is not null && await restriction.IsRestrictedAsync(caller.UserId, cancellationToken).ConfigureAwait(false))
        {
            throw Problems.ProcessingRestricted("Processing of your onboarding data is restricted (Art. 18 GDPR): it is kept but cannot change until the restriction is lifted.");
        }
    }

    public async ValueTask<IReadOnlyList<StepDefinition>> OfferedAsync(Caller caller, CancellationToken cancellationToken)
    {
        var enabled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var flag in catalog.FeatureFlags)
        {
            if (await gate.IsEnabledAsync(flag, caller, cancellationToken).ConfigureAwait(false))
            {
                enabled.Add(flag);
            }
        }

        return catalog.Offered(new StepAudience(caller.Market, caller.Roles, enabled));
    }

    /// <summary>The step if it exists and is offered to the caller, else 404.</summary>
    public static StepDefinition OfferedStep(IReadOnlyList<StepDefinition> offered, string stepId) =>
        offered.FirstOrDefault(s => s.Id == stepId)
        ?? throw Problems.NotFound("No such step in your onboarding guide.", "stepId", Sanitize(stepId));

    /// <summary>Echo ids only when they are well-formed, so no arbitrary input is reflected.</summary>
    public static string? Sanitize(string id) => StepCatalogLoader.IdPattern().IsMatch(id) ? id : null;
}
