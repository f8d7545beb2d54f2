using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;

namespace Huntaze.Functions.Onboarding;

/// <summary>The caller's guide, one step, and gates.</summary>
public sealed class OnboardingService(
    StepCatalog catalog,
    OnboardingAccess access,
    IProgressStore store,
    IOnboardingEventPublisher events,
    TimeProvider time,
    GuideViews views)
{
    /// <summary>
    /// The guide, or <c>{enabled:false, reason}</c> while it is off, serialized once: the ETag hashes the bytes
    /// sent. One <c>guide_viewed</c> event per request answered with the guide, whether the answer is the body
    /// (200) or "the one you hold is current" (304): both are a client showing the guide (docs/api/onboarding.md#events).
    /// </summary>
    public async Task<JsonRepresentation> GetViewAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (await access.DisabledReasonAsync(caller, cancellationToken).ConfigureAwait(false) is { } reason)
        {
            return JsonRepresentation.Of(new GuideDisabledView(false, reason));
        }

        // The view event's filter reads the user's consent (cached for seconds): started now, that read runs beside the
        // guide's instead of after it on a user's first view in a while.
        events.Prepare(caller.UserId);
        var offered = await access.OfferedAsync(caller, cancellationToken).ConfigureAwait(false);
        var snapshot = await store.ReadAsync(caller.UserId, cancellationToken).ConfigureAwait(false);
        var view = views.Render(offered, snapshot, time.GetUtcNow());
        await events.PublishAsync(new OnboardingEvent(OnboardingEventKind.GuideViewed, caller.UserId, null, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return view;
    }

    /// <summary>One offered step with its data; its ETag is the revision's (<see cref="StepView.ETag"/>).</summary>
    public async Task<StepView> GetStepAsync(Caller caller, string stepId, CancellationToken cancellationToken)
    {
        await access.EnsureEnabledAsync(caller, cancellationToken).ConfigureAwait(false);
        var offered = await access.OfferedAsync(caller, cancellationToken).ConfigureAwait(false);
        var step = OnboardingAccess.OfferedStep(offered, stepId);
        var snapshot = await store.ReadAsync(caller.UserId, cancellationToken).ConfigureAwait(false);
        var progress = snapshot.Step(step.Id).Value;
        return GuideCalculator.ToView(step, progress, GuideCalculator.BlockedBy(step, offered, snapshot), includeData: true);
    }

    /// <summary>Nothing when the gate is open; 409 naming the first missing step and a hint otherwise.</summary>
    public async Task CheckGateAsync(Caller caller, string gateId, CancellationToken cancellationToken)
    {
        var gate = catalog.FindGate(gateId)
            ?? throw Problems.NotFound("No such gate.", "gate", OnboardingAccess.Sanitize(gateId));
        await access.EnsureEnabledAsync(caller, cancellationToken).ConfigureAwait(false);
        var offered = await access.OfferedAsync(caller, cancellationToken).ConfigureAwait(false);
        var required = offered.Where(s => gate.Requires.Contains(s.Id)).ToList();
        if (required.Count == 0)
        {
            return;
        }

        var snapshot = await store.ReadAsync(caller.UserId, cancellationToken).ConfigureAwait(false);
        var missing = required.Where(s => snapshot.StatusOf(s.Id) != StepStatus.Completed).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        OnboardingMetrics.GateBlocked(gate.Id);
        await events.PublishAsync(new OnboardingEvent(OnboardingEventKind.GateBlocked, caller.UserId, gate.Id, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        var first = missing[0];
        throw Problems.GateBlocked(
            $"{gate.Title} needs '{first.Title}' first.",
            gate.Id,
            missing.Select(s => (object)new { id = s.Id, title = s.Title, status = snapshot.StatusOf(s.Id) }).ToArray(),
            new { action = "open_step", stepId = first.Id, url = gate.Url ?? $"/onboarding/steps/{first.Id}" });
    }
}
