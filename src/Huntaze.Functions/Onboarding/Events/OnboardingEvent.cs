namespace Huntaze.Functions.Onboarding.Events;

/// <summary>The domain events of onboarding (serialized snake_case).</summary>
public enum OnboardingEventKind
{
    GuideViewed,
    StepStarted,
    StepCompleted,
    StepSkipped,
    NudgeSnoozed,
    GateBlocked,
    OnboardingCompleted,
}

/// <summary>One event about one (pseudonymous) user; <c>Subject</c> is a step or gate id.</summary>
public sealed record OnboardingEvent(OnboardingEventKind Kind, string UserId, string? Subject, DateTimeOffset OccurredAt);

/// <summary>
/// The one way onboarding emits events. Implementations consult every <see cref="IOnboardingEventFilter"/>
/// first, so processing can be switched off per user (consent, objection) in one place.
/// </summary>
public interface IOnboardingEventPublisher
{
    ValueTask PublishAsync(OnboardingEvent domainEvent, CancellationToken cancellationToken);

    /// <summary>
    /// The caller will publish an event of <paramref name="userId"/> shortly: filters may start now what they will
    /// need to decide (the user's consent is read beside the request's own storage work, not after it).
    /// </summary>
    void Prepare(string userId)
    {
    }
}

/// <summary>A veto on publishing a user's events; the privacy work registers one for consent and objection.</summary>
public interface IOnboardingEventFilter
{
    ValueTask<bool> AllowsAsync(OnboardingEvent domainEvent, CancellationToken cancellationToken);

    /// <summary>Starts what deciding on an event of <paramref name="userId"/> will need (see <see cref="IOnboardingEventPublisher.Prepare"/>); never throws.</summary>
    void Prepare(string userId)
    {
    }
}

/// <summary>Where allowed events go (telemetry today; a queue later).</summary>
public interface IOnboardingEventSink
{
    ValueTask WriteAsync(OnboardingEvent domainEvent, CancellationToken cancellationToken);
}
