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
/// Everything stored for one user, read in one point read of the user's guide entity (ADR 0018): the state, the
/// steps, and the rate-limit counters of policies counted with the user's writes (by policy, ADR 0007).
/// <see cref="ETag"/> and <see cref="WriteIds"/> are the guide entity's (null: nothing stored); every part
/// carries the same ETag, since they are stored and replaced together.
/// </summary>
public sealed record ProgressSnapshot(string UserId, Stored<OnboardingState> State, IReadOnlyDictionary<string, Stored<StepProgress>> Steps)
{
    public IReadOnlyDictionary<string, Stored<WindowCounter>> Counters { get; init; } = new Dictionary<string, Stored<WindowCounter>>();

    /// <summary>The stored guide's ETag: a commit over this snapshot writes only if it is still current.</summary>
    public ETag? ETag { get; init; }

    /// <summary>The stored guide's write ids (<see cref="Platform.Storage.TableWriteBatch.WriteHistory"/>), kept by the next write.</summary>
    public string? WriteIds { get; init; }

    public static ProgressSnapshot Empty(string userId) => new(userId, new Stored<OnboardingState>(OnboardingState.Empty, null), new Dictionary<string, Stored<StepProgress>>());

    public Stored<StepProgress> Step(string stepId) =>
        Steps.TryGetValue(stepId, out var stored) ? stored : new Stored<StepProgress>(StepProgress.Empty(stepId) with { Revision = State.Value.StepRevisionFloor }, null);

    public StepStatus StatusOf(string stepId) => Steps.TryGetValue(stepId, out var stored) ? stored.Value.Status : StepStatus.NotStarted;
}

/// <summary>
/// A change to the user's guide, decided over a <see cref="ProgressSnapshot"/> and written over it in one
/// conditional replace of the guide entity (ADR 0018): a step and the state put, <see cref="Removed"/> steps
/// dropped, and the counters of <see cref="RemovedCounters"/> dropped. A commit that puts nothing and removes the
/// state (<see cref="RemovedState"/>) removes the whole guide (erasure and retention). The write is conditional on
/// the basis's ETag (<see cref="ProgressSnapshot.ETag"/>); the ETags the parts carry are the same one and are not read.
/// </summary>
public sealed record ProgressCommit(Stored<StepProgress>? Step, Stored<OnboardingState>? State)
{
    public IReadOnlyList<Stored<StepProgress>> Removed { get; init; } = [];

    public ETag? RemovedState { get; init; }

    /// <summary>Rate-limit counters (by policy) dropped with the guide.</summary>
    public IReadOnlyDictionary<string, Stored<WindowCounter>> RemovedCounters { get; init; } = new Dictionary<string, Stored<WindowCounter>>();

    /// <summary>A rate-limit counter (by policy) counted with this write, in the same write (ADR 0007).</summary>
    public (string Policy, Stored<WindowCounter> Counter)? Counted { get; init; }

    public bool IsEmpty => Step is null && State is null && Removed.Count == 0 && RemovedState is null && RemovedCounters.Count == 0 && Counted is null;

    /// <summary>Whether the commit removes the whole guide: it puts nothing and removes the state.</summary>
    public bool RemovesGuide => Step is null && State is null && Counted is null && RemovedState is not null;

    /// <summary>Whether the commit changes guide data (and so is journaled): a counter alone is not (ADR 0007, 0016).</summary>
    public bool ChangesGuide => Step is not null || State is not null || Removed.Count > 0 || RemovedState is not null;

    /// <summary>The guide after this commit over <paramref name="basis"/> (null when it removes the guide), the basis's ETag kept.</summary>
    public ProgressSnapshot? ApplyTo(ProgressSnapshot basis)
    {
        ArgumentNullException.ThrowIfNull(basis);
        if (RemovesGuide)
        {
            return null;
        }

        var steps = new Dictionary<string, Stored<StepProgress>>(basis.Steps, StringComparer.Ordinal);
        foreach (var removed in Removed)
        {
            steps.Remove(removed.Value.StepId);
        }

        if (Step is { } step)
        {
            steps[step.Value.StepId] = step;
        }

        var counters = new Dictionary<string, Stored<WindowCounter>>(basis.Counters.Where(c => !RemovedCounters.ContainsKey(c.Key)), StringComparer.Ordinal);
        if (Counted is { } counted)
        {
            counters[counted.Policy] = counted.Counter;
        }

        return basis with { State = State ?? basis.State, Steps = steps, Counters = counters };
    }
}

/// <summary>How a commit ended.</summary>
public enum CommitStatus
{
    Committed,

    /// <summary>Another writer changed (or deleted) an entity since it was read: nothing was written; re-read and decide.</summary>
    Conflict,
}

/// <summary>A user holding progress on a step: the user's whole guide as listed (its ETag included) and the step in it.</summary>
public sealed record StepHolder(ProgressSnapshot Progress, Stored<StepProgress> Step)
{
    public string UserId => Progress.UserId;
}

/// <summary>One page of the users holding progress on a step.</summary>
public sealed record StepHolderPage(IReadOnlyList<StepHolder> Holders, string? ContinuationToken);
