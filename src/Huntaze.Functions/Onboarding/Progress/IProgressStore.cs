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

    Task<Stored<StepProgress>?> ReadStepAsync(string userId, string stepId, CancellationToken cancellationToken);

    /// <summary>Writes the commit in one partition transaction, or nothing (conflict) if any entity moved since read.</summary>
    Task<CommitStatus> CommitAsync(string userId, ProgressCommit commit, CancellationToken cancellationToken);

    /// <summary>Pages through every user's entity for one step (a cross-partition query on the row key).</summary>
    Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken);
}
