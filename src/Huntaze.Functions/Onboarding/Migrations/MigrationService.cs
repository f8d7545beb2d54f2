using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Progress;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding.Migrations;

/// <summary>
/// Moves one user's step to a new catalog version under a policy. Idempotent (a user already at the
/// version is unchanged) and safe against the user writing at the same time: the update states the
/// ETag read, and a conflict re-reads and re-applies the policy to what the user wrote.
/// </summary>
public sealed class MigrationService(IProgressStore store, TimeProvider time, IOptions<OnboardingOptions> options)
{
    public async Task<MigrationCounts> MigrateBatchAsync(MigrationBatchInput input, CancellationToken cancellationToken)
    {
        var policy = Enum.Parse<MigrationPolicy>(input.Policy, ignoreCase: true);
        var outcomes = new int[3];
        await Parallel.ForEachAsync(
            input.UserIds,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MigrationParallelism, CancellationToken = cancellationToken },
            async (userId, ct) =>
            {
                var outcome = await MigrateUserAsync(userId, input.StepId, input.ToVersion, policy, input.DryRun, ct).ConfigureAwait(false);
                Interlocked.Increment(ref outcomes[(int)outcome]);
            }).ConfigureAwait(false);
        return new MigrationCounts(
            input.UserIds.Count,
            outcomes[(int)MigrationOutcome.Changed],
            outcomes[(int)MigrationOutcome.Unchanged],
            outcomes[(int)MigrationOutcome.Failed]);
    }

    public async Task<MigrationOutcome> MigrateUserAsync(string userId, string stepId, int toVersion, MigrationPolicy policy, bool dryRun, CancellationToken cancellationToken)
    {
        for (var round = 0; round < options.Value.ConflictRetries; round++)
        {
            var stored = await store.ReadStepAsync(userId, stepId, cancellationToken).ConfigureAwait(false);
            if (stored is null || stored.Value.StepVersion >= toVersion)
            {
                return MigrationOutcome.Unchanged;
            }

            if (dryRun)
            {
                return MigrationOutcome.Changed;
            }

            var next = Apply(stored.Value, toVersion, policy, time.GetUtcNow());
            var result = await store.UpdateStepAsync(userId, stored with { Value = next }, cancellationToken).ConfigureAwait(false);
            if (result.Status == CommitStatus.Committed)
            {
                return MigrationOutcome.Changed;
            }
        }

        return MigrationOutcome.Failed;
    }

    public static StepProgress Apply(StepProgress current, int toVersion, MigrationPolicy policy, DateTimeOffset now)
    {
        var moved = current with { StepVersion = toVersion, Revision = current.Revision + 1, UpdatedAt = now };
        return policy switch
        {
            MigrationPolicy.Reset => moved with { Status = StepStatus.NotStarted, Data = null, StartedAt = null, CompletedAt = null },
            MigrationPolicy.Review when current.Status is StepStatus.Completed or StepStatus.Skipped => moved with { Status = StepStatus.NeedsReview },
            _ => moved,
        };
    }
}
