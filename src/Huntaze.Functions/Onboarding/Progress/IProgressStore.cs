using System.Diagnostics.CodeAnalysis;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// The one path to onboarding progress in Table Storage. Every write states the ETag it read and recognises
/// its own committed write behind a lost response. Services change progress through
/// <see cref="ProgressUpdates.UpdateAsync"/> (read, decide, commit, re-read on conflict), not by looping themselves.
/// </summary>
public interface IProgressStore
{
    /// <summary>Read-decide-commit rounds before a change gives up with 503 (<c>Onboarding:ConflictRetries</c>).</summary>
    int ConflictRounds { get; }

    Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// The guide as this instance last read or committed it (<see cref="HeldGuides"/>, ADR 0019), without a read:
    /// unverified, since another instance may have written since. Only a commit over it that succeeds proves it current.
    /// </summary>
    bool TryGetHeld(string userId, [NotNullWhen(true)] out ProgressSnapshot? snapshot);

    /// <summary>
    /// Writes <paramref name="commit"/> over <paramref name="basis"/> (the guide as read) in one transaction with its
    /// journal row, or nothing (conflict) if the guide moved since it was read.
    /// </summary>
    Task<CommitStatus> CommitAsync(ProgressSnapshot basis, ProgressCommit commit, CancellationToken cancellationToken);

    /// <summary>Pages through the users holding progress on one step (a cross-partition query on the row key).</summary>
    Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken);
}
