using Azure;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>A user's status on one step (serialized snake_case: not_started, in_progress, ...).</summary>
public enum StepStatus
{
    NotStarted,
    InProgress,
    Completed,
    Skipped,
    NeedsReview,
}

/// <summary>
/// A user's progress on one step. <see cref="Revision"/> counts changes (the client-facing version and
/// ETag); <see cref="StepVersion"/> is the catalog version the status was reached under. <see cref="RequestKey"/> is the Idempotency-Key of
/// the write that produced this revision, so a client's re-send is told apart from another writer's equal change.
/// </summary>
public sealed record StepProgress(
    string StepId,
    StepStatus Status,
    int Revision,
    int StepVersion,
    string? Data,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? UpdatedAt,
    string? RequestKey = null)
{
    public static StepProgress Empty(string stepId) => new(stepId, StepStatus.NotStarted, 0, 0, null, null, null, null);
}

/// <summary>The guide as a whole for one user. <see cref="Revision"/> changes on dismiss, resume, snooze and completion.</summary>
public sealed record OnboardingState(
    int Revision,
    DateTimeOffset? DismissedAt,
    DateTimeOffset? SnoozedUntil,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? UpdatedAt)
{
    public static readonly OnboardingState Empty = new(0, null, null, null, null);
}

/// <summary>A value as stored, with the storage ETag it was read with (null: not stored yet).</summary>
public sealed record Stored<T>(T Value, ETag? ETag);

/// <summary>Everything stored for one user, read in one partition query.</summary>
public sealed record ProgressSnapshot(string UserId, Stored<OnboardingState> State, IReadOnlyDictionary<string, Stored<StepProgress>> Steps)
{
    public Stored<StepProgress> Step(string stepId) =>
        Steps.TryGetValue(stepId, out var stored) ? stored : new Stored<StepProgress>(StepProgress.Empty(stepId), null);

    public StepStatus StatusOf(string stepId) => Steps.TryGetValue(stepId, out var stored) ? stored.Value.Status : StepStatus.NotStarted;
}

/// <summary>
/// Entities written together in one partition transaction. An entry with a null expected ETag is
/// inserted (fails if it exists); otherwise it replaces the entity only if its ETag still matches.
/// </summary>
public sealed record ProgressCommit(Stored<StepProgress>? Step, Stored<OnboardingState>? State);

/// <summary>How a commit ended.</summary>
public enum CommitStatus
{
    Committed,

    /// <summary>Another writer changed an entity since it was read: re-read and decide.</summary>
    Conflict,
}

public sealed record CommitResult(CommitStatus Status, ETag? StepETag, ETag? StateETag);

/// <summary>A user holding progress on a step, with the entity as listed (its ETag included).</summary>
public sealed record StepHolder(string UserId, Stored<StepProgress> Step);

/// <summary>One page of the users holding progress on a step.</summary>
public sealed record StepHolderPage(IReadOnlyList<StepHolder> Holders, string? ContinuationToken);
