using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.Functions.Onboarding;

/// <summary>Dismiss, resume and snooze: change the guide's state only, each write conditional on the guide's ETag.</summary>
public sealed class GuideStateService(
    OnboardingAccess access,
    IProgressStore store,
    IOnboardingEventPublisher events,
    TimeProvider time)
{
    public const int MaxSnoozeDays = 30;

    public Task<GuideStateView> DismissAsync(Caller caller, Precondition precondition, WriteBudget? budget, CancellationToken cancellationToken) =>
        ChangeAsync(caller, precondition, budget, s => s.DismissedAt is not null ? null : s with { DismissedAt = time.GetUtcNow() }, cancellationToken);

    public Task<GuideStateView> ResumeAsync(Caller caller, Precondition precondition, WriteBudget? budget, CancellationToken cancellationToken) =>
        ChangeAsync(caller, precondition, budget, s => s.DismissedAt is null && !(s.SnoozedUntil > time.GetUtcNow()) ? null : s with { DismissedAt = null, SnoozedUntil = null }, cancellationToken);

    /// <summary>Hides nudges for 1..30 days; unconditional for the client, conditional on the stored ETag.</summary>
    public async Task<GuideStateView> SnoozeAsync(Caller caller, int days, WriteBudget? budget, CancellationToken cancellationToken)
    {
        if (days is < 1 or > MaxSnoozeDays)
        {
            throw Problems.Validation("days", $"days must be between 1 and {MaxSnoozeDays}.");
        }

        var view = await ChangeAsync(caller, null, budget, s => s with { SnoozedUntil = time.GetUtcNow().AddDays(days) }, cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(new OnboardingEvent(OnboardingEventKind.NudgeSnoozed, caller.UserId, null, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return view;
    }

    /// <summary><paramref name="change"/> returns null when the state already is as asked (idempotent 200).</summary>
    private async Task<GuideStateView> ChangeAsync(
        Caller caller, Precondition? precondition, WriteBudget? budget, Func<OnboardingState, OnboardingState?> change, CancellationToken cancellationToken)
    {
        await access.EnsureWritableAsync(caller, cancellationToken).ConfigureAwait(false);
        return await store.UpdateAsync(caller.UserId, budget, snapshot =>
        {
            var state = snapshot.State.Value;
            var etag = GuideCalculator.StateETag(state.Revision);
            var changed = change(state);
            if (changed is null)
            {
                return ProgressDecision.Unchanged(GuideCalculator.ToView(state, time.GetUtcNow()));
            }

            if (precondition is not null && !precondition.Matches(etag, state.Revision))
            {
                throw Problems.PreconditionFailed(
                    "The onboarding state has changed since you read it; the current state and its ETag are included.", GuideCalculator.ToView(state, time.GetUtcNow()), etag);
            }

            var next = changed with { Revision = state.Revision + 1, UpdatedAt = time.GetUtcNow() };
            return ProgressDecision.Write(new ProgressCommit(null, snapshot.State with { Value = next }), GuideCalculator.ToView(next, time.GetUtcNow()));
        }, cancellationToken).ConfigureAwait(false);
    }
}
