using Huntaze.Functions.Security.Audit;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Huntaze.Functions.Onboarding.Migrations;

/// <summary>
/// Step-version migration: pages through the users holding the step (one cross-partition query on the
/// row key) one activity per page (the page's users migrated in parallel inside it), and continues as
/// new every few pages so its history stays bounded. Resumable: the page token and
/// totals travel in the input; idempotent: a user already at the version is unchanged.
/// </summary>
public sealed class MigrationOrchestration(MigrationService migrations, IAuditLog audit)
{
    public const string Orchestrator = "OnboardingMigration";
    public const string MigratePage = "OnboardingMigrationPage";
    public const string Audit = "OnboardingMigrationAudit";

    private static readonly TaskOptions ActivityRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(1), 2.0));

    [Function(Orchestrator)]
    public static async Task<MigrationCounts> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<MigrationInput>() ?? throw new InvalidOperationException("A migration needs its input.");
        var token = input.ContinuationToken;
        var counts = input.Counts;
        for (var page = 0; page < input.PagesPerGeneration; page++)
        {
            var result = await context.CallActivityAsync<MigrationPageResult>(
                MigratePage,
                new MigrationPageInput(input.StepId, input.ToVersion, input.Policy, input.DryRun, token, input.UsersPerActivity),
                ActivityRetry);
            counts = counts.Add(result.Counts);
            context.SetCustomStatus(counts);
            token = result.ContinuationToken;
            if (token is null)
            {
                await context.CallActivityAsync<bool>(Audit, new MigrationAuditInput(context.InstanceId, input, counts), ActivityRetry);
                return counts;
            }
        }

        context.ContinueAsNew(input with { ContinuationToken = token, Counts = counts });
        return counts;
    }

    [Function(MigratePage)]
    public Task<MigrationPageResult> MigratePageAsync([ActivityTrigger] MigrationPageInput input, CancellationToken cancellationToken) =>
        migrations.MigratePageAsync(input, cancellationToken);

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
