using Huntaze.Functions.Flags.Evaluation;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Privacy.Controls;
using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Privacy;

/// <summary>
/// The one place the server decides whether it may process a user's data for a purpose, from their controls
/// (restriction, Art. 18; objections, Art. 21: an in-memory index) and their consent (the consent record in force,
/// for what the registry says needs it). It is the one onboarding event filter and the flag gate's objection check.
/// </summary>
public sealed class ProcessingPermissions(ControlsView controls, ConsentService consent) : IOnboardingEventFilter, IRolloutObjections
{
    /// <summary>The registry is fixed at build time: asked once, not on every event.</summary>
    private static readonly string? AnalyticsConsent = HuntazeRegistry.ConsentRequiredBy(ProcessingActivities.Analytics);

    /// <summary>
    /// Onboarding events are product analytics: none for a restricted user, one who objected to analytics, or one
    /// without the consent category the registry requires for analytics.
    /// </summary>
    public async ValueTask<bool> AllowsAsync(OnboardingEvent domainEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        var user = domainEvent.UserId;
        try
        {
            if (await controls.HasAsync(ControlKind.Restriction, user, cancellationToken).ConfigureAwait(false) ||
                await controls.HasAsync(ControlKind.ObjectionAnalytics, user, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (ControlsView.ControlsUnavailableException)
        {
            // Unknown controls: no events while in doubt (ADR 0011).
            return false;
        }

        return await ConsentedAsync(AnalyticsConsent, user, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The consent the analytics decision will read, loaded now (the controls are in memory already).</summary>
    public void Prepare(string userId)
    {
        if (AnalyticsConsent is not null)
        {
            consent.Prefetch(userId);
        }
    }

    /// <summary>
    /// Out of the flag's percentages: an objection to experimentation (any targeted flag), or, for a flag the
    /// registry puts under a consent category (<c>Experiment.*</c>: personalization), no consent to it.
    /// </summary>
    public async ValueTask<bool> ObjectsAsync(string feature, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feature);
        try
        {
            if (await controls.HasAsync(ControlKind.ObjectionExperimentation, userId, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
        catch (ControlsView.ControlsUnavailableException)
        {
            // Unknown controls count as an objection: the flag's default, never a percentage, while in doubt.
            return true;
        }

        foreach (var category in HuntazeRegistry.ConsentRequiredForFlag(feature))
        {
            if (!await ConsentedAsync(category, userId, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Consent that cannot be read (storage down) is consent not shown: the processing waits, the request does not fail.</summary>
    private async ValueTask<bool> ConsentedAsync(string? category, string userId, CancellationToken cancellationToken)
    {
        try
        {
            return category is null || await consent.GrantsAsync(userId, category, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (DependencyFailure.IsOutage(exception, cancellationToken))
        {
            return false;
        }
    }
}
