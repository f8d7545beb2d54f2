using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Progress;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding.Migrations;

/// <summary>
/// Moves one user's step to a new catalog version under a policy. Idempotent (a user already at the
/// version is unchanged) and safe against the user writing at the same time: the update states the
/// ETag read, and a conflict re-reads and re-applies the policy to what the user wrote.
/// </summary>
public sealed class MigrationService(IProgressStore store, TimeProvider time, IOptions<OnboardingOptions> options, IProcessingRestriction? restriction = null)
{
    /// <summary>
    /// Lists the step's holders from a continuation token (1,000 per query page) and migrates those
    /// below the version, up to <c>MaxUsers</c>, fanning out inside the activity: each orchestration
    /// turn costs far more than a storage call, so one activity carries a whole page of work.
    /// </summary>
    public async Task<MigrationPageResult> MigratePageAsync(MigrationPageInput input, CancellationToken cancellationToken)
    {
        var counts = MigrationCounts.Zero;
        var token = input.ContinuationToken;
        var seen = 0;
        do
        {
            var page = await store.ListStepHoldersAsync(input.StepId, token, Math.Min(1000, input.MaxUsers - seen), cancellationToken).ConfigureAwait(false);
            // The listed guide (with its ETag) is the first read: one conditional update per user
            // unless the user wrote in between, and no read at all for a dry run.
            counts = counts.Add(await MigrateAsync(page.Holders, input, cancellationToken).ConfigureAwait(false));
            seen += page.Holders.Count;
            token = page.ContinuationToken;
        }
        while (token is not null && seen < input.MaxUsers);

        return new MigrationPageResult(counts, token);
    }

    private async Task<MigrationCounts> MigrateAsync(IReadOnlyList<StepHolder> holders, MigrationPageInput input, CancellationToken cancellationToken)
    {
        var policy = Enum.Parse<MigrationPolicy>(input.Policy, ignoreCase: true);
        var outcomes = new int[4];
        await Parallel.ForEachAsync(
            holders,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MigrationParallelism, CancellationToken = cancellationToken },
            async (holder, ct) =>
            {
                var outcome = await MigrateUserAsync(holder.Progress, input.StepId, input.ToVersion, policy, input.DryRun, ct).ConfigureAwait(false);
                Interlocked.Increment(ref outcomes[(int)outcome]);
            }).ConfigureAwait(false);
        return new MigrationCounts(
            holders.Count,
            outcomes[(int)MigrationOutcome.Changed],
            outcomes[(int)MigrationOutcome.Unchanged],
            outcomes[(int)MigrationOutcome.Failed],
            outcomes[(int)MigrationOutcome.Restricted]);
    }

    /// <param name="listed">The user's guide as already read (by the page query), used for the first attempt.</param>
    public async Task<MigrationOutcome> MigrateUserAsync(
        ProgressSnapshot listed, string stepId, int toVersion, MigrationPolicy policy, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listed);
        if (restriction is not null && await restriction.IsRestrictedAsync(listed.UserId, cancellationToken).ConfigureAwait(false))
        {
            return MigrationOutcome.Restricted;
        }

        return await store.UpdateAsync(
            listed,
            guide =>
                !guide.Steps.TryGetValue(stepId, out var stored) || stored.Value.StepVersion >= toVersion ? ProgressDecision.Unchanged(MigrationOutcome.Unchanged)
                : dryRun ? ProgressDecision.Unchanged(MigrationOutcome.Changed)
                : ProgressDecision.Write(new ProgressCommit(stored with { Value = Apply(stored.Value, toVersion, policy, time.GetUtcNow()) }, null), MigrationOutcome.Changed),
            () => MigrationOutcome.Failed,
            cancellationToken).ConfigureAwait(false);
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
