using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Security.Audit;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Huntaze.Functions.Onboarding.Migrations;

/// <summary>
/// Step-version migration: pages through the users holding the step (one cross-partition query on the
/// row key), counts those already at the version as unchanged, fans the rest out to batch activities,
/// and continues as new every few pages so its history stays bounded. Resumable: the page token and
/// totals travel in the input; idempotent: a user already at the version is unchanged.
/// </summary>
public sealed class MigrationOrchestration(IProgressStore store, MigrationService migrations, IAuditLog audit)
{
    public const string Orchestrator = "OnboardingMigration";
    public const string ListUsers = "OnboardingMigrationListUsers";
    public const string MigrateBatch = "OnboardingMigrationBatch";
    public const string Audit = "OnboardingMigrationAudit";

    private static readonly TaskOptions ActivityRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(1), 2.0));

    [Function(Orchestrator)]
    public static async Task<MigrationCounts> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<MigrationInput>() ?? throw new InvalidOperationException("A migration needs its input.");
        var token = input.ContinuationToken;
        var counts = input.Counts;
        for (var pageNumber = 0; pageNumber < input.PagesPerGeneration; pageNumber++)
        {
            var page = await context.CallActivityAsync<StepHolderPage>(ListUsers, new ListHoldersInput(input.StepId, token, input.PageSize), ActivityRetry);
            var current = page.Holders.Count(h => h.StepVersion >= input.ToVersion);
            counts = counts.Add(new MigrationCounts(current, 0, current, 0));
            var batches = page.Holders
                .Where(h => h.StepVersion < input.ToVersion)
                .Select(h => h.UserId)
                .Chunk(input.BatchSize)
                .Select(ids => context.CallActivityAsync<MigrationCounts>(
                    MigrateBatch, new MigrationBatchInput(input.StepId, input.ToVersion, input.Policy, input.DryRun, ids), ActivityRetry))
                .ToList();
            foreach (var result in await Task.WhenAll(batches))
            {
                counts = counts.Add(result);
            }

            context.SetCustomStatus(counts);
            token = page.ContinuationToken;
            if (token is null)
            {
                await context.CallActivityAsync<bool>(Audit, new MigrationAuditInput(context.InstanceId, input, counts), ActivityRetry);
                return counts;
            }
        }

        context.ContinueAsNew(input with { ContinuationToken = token, Counts = counts });
        return counts;
    }

    [Function(ListUsers)]
    public Task<StepHolderPage> ListUsersAsync([ActivityTrigger] ListHoldersInput input, CancellationToken cancellationToken) =>
        store.ListStepHoldersAsync(input.StepId, input.ContinuationToken, input.PageSize, cancellationToken);

    [Function(MigrateBatch)]
    public Task<MigrationCounts> MigrateBatchAsync([ActivityTrigger] MigrationBatchInput input, CancellationToken cancellationToken) =>
        migrations.MigrateBatchAsync(input, cancellationToken);

    /// <summary>Appending twice (an activity retried) leaves two records of one completion, never none.</summary>
    [Function(Audit)]
    public async Task<bool> AuditAsync([ActivityTrigger] MigrationAuditInput input, CancellationToken cancellationToken)
    {
        Events.OnboardingMetrics.Migrated("changed", input.Counts.Changed);
        Events.OnboardingMetrics.Migrated("failed", input.Counts.Failed);
        await audit.AppendAsync(
            new AuditRecord(
                input.Input.Actor,
                input.Input.DryRun ? "onboarding.migration.dry_run_completed" : "onboarding.migration.completed",
                $"step:{input.Input.StepId}",
                input.Counts.Failed == 0 ? "succeeded" : "partial",
                input.Input.CorrelationId,
                MigrationFunctions.Details(input.MigrationId, input.Input, input.Counts)),
            cancellationToken).ConfigureAwait(false);
        return true;
    }
}
