namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// The one path to onboarding progress in Table Storage. Every write states the ETag it read, retries
/// transient failures, and recognises its own committed write behind a retried 412.
/// </summary>
public interface IProgressStore
{
    Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken);

    Task<Stored<StepProgress>?> ReadStepAsync(string userId, string stepId, CancellationToken cancellationToken);

    Task<CommitResult> CommitAsync(string userId, ProgressCommit commit, CancellationToken cancellationToken);

    /// <summary>Replaces one step entity only if it still has the ETag it was read with.</summary>
    Task<CommitResult> UpdateStepAsync(string userId, Stored<StepProgress> progress, CancellationToken cancellationToken);

    /// <summary>Deletes the user's onboarding entities as read in <paramref name="snapshot"/>; conflict if any changed.</summary>
    Task<CommitResult> DeleteAsync(ProgressSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Pages through every user's entity for one step (a cross-partition query on the row key).</summary>
    Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken);
}
