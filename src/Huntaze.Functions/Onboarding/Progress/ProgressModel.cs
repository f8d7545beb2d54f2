using Azure;
using Huntaze.Functions.Security.RateLimiting;

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

/// <summary>
/// The guide as a whole for one user. <see cref="Revision"/> changes on dismiss, resume, snooze, completion and
/// reset. <see cref="StepRevisionFloor"/> is the revision a step without stored progress has: 0 until a support
/// reset, which raises it above every revision the user's steps ever had, so that no entity tag handed out
/// before the reset can match anything after it.
/// </summary>
public sealed record OnboardingState(
    int Revision,
    DateTimeOffset? DismissedAt,
    DateTimeOffset? SnoozedUntil,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? UpdatedAt,
    int StepRevisionFloor = 0)
{
    public static readonly OnboardingState Empty = new(0, null, null, null, null);

    /// <summary>The state after a support reset of <paramref name="snapshot"/>: nothing dismissed, snoozed or completed, every tag new.</summary>
    public static OnboardingState AfterReset(ProgressSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var highest = snapshot.Steps.Values.Select(s => s.Value.Revision).DefaultIfEmpty(0).Max();
        return new OnboardingState(snapshot.State.Value.Revision + 1, null, null, null, now, Math.Max(highest, snapshot.State.Value.StepRevisionFloor) + 1);
    }
}

/// <summary>
/// A value as stored, with the storage ETag it was read with (null: not stored yet) and the write ids it was
/// read with, which a rewrite keeps (<see cref="Platform.Storage.TableWriteBatch.WriteHistory"/>): build the
/// value to commit with <c>stored with { Value = … }</c> so they travel.
/// </summary>
public sealed record Stored<T>(T Value, ETag? ETag)
{
    public string? WriteIds { get; init; }
}

/// <summary>
/// Everything stored for one user, read in one partition query: the state, the steps, and the rate-limit
/// counters of policies counted with the user's writes (by row key, ADR 0007).
/// </summary>
public sealed record ProgressSnapshot(string UserId, Stored<OnboardingState> State, IReadOnlyDictionary<string, Stored<StepProgress>> Steps)
{
    public IReadOnlyDictionary<string, Stored<WindowCounter>> Counters { get; init; } = new Dictionary<string, Stored<WindowCounter>>();

    public Stored<StepProgress> Step(string stepId) =>
        Steps.TryGetValue(stepId, out var stored) ? stored : new Stored<StepProgress>(StepProgress.Empty(stepId) with { Revision = State.Value.StepRevisionFloor }, null);

    public StepStatus StatusOf(string stepId) => Steps.TryGetValue(stepId, out var stored) ? stored.Value.Status : StepStatus.NotStarted;
}

/// <summary>
/// Entities written together in one partition transaction. An entry with a null expected ETag is
/// inserted (fails if it exists); otherwise it replaces the entity only if its ETag still matches.
/// <see cref="Removed"/> are deleted in the same transaction, each only if unchanged since read, and so is
/// the state entity when <see cref="RemovedState"/> gives the ETag it was read with, and the counters of
/// <see cref="RemovedCounters"/> (erasure and retention remove the whole partition).
/// </summary>
public sealed record ProgressCommit(Stored<StepProgress>? Step, Stored<OnboardingState>? State)
{
    public IReadOnlyList<Stored<StepProgress>> Removed { get; init; } = [];

    public ETag? RemovedState { get; init; }

    /// <summary>Rate-limit counters (by row key) deleted with the partition, each only if unchanged since read.</summary>
    public IReadOnlyDictionary<string, Stored<WindowCounter>> RemovedCounters { get; init; } = new Dictionary<string, Stored<WindowCounter>>();

    /// <summary>A rate-limit counter (by row key) counted with this write, in the same transaction (ADR 0007).</summary>
    public (string RowKey, Stored<WindowCounter> Counter)? Counted { get; init; }

    public bool IsEmpty => Step is null && State is null && Removed.Count == 0 && RemovedState is null && RemovedCounters.Count == 0 && Counted is null;
}

/// <summary>How a commit ended.</summary>
public enum CommitStatus
{
    Committed,

    /// <summary>Another writer changed (or deleted) an entity since it was read: nothing was written; re-read and decide.</summary>
    Conflict,
}

/// <summary>A user holding progress on a step, with the entity as listed (its ETag included).</summary>
public sealed record StepHolder(string UserId, Stored<StepProgress> Step);

/// <summary>One page of the users holding progress on a step.</summary>
public sealed record StepHolderPage(IReadOnlyList<StepHolder> Holders, string? ContinuationToken);
