using System.Globalization;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding.Migrations;

/// <summary>Admin endpoints that start and report step-version migrations.</summary>
public sealed class MigrationFunctions(StepCatalog catalog, IAuditLog audit, IOptions<OnboardingOptions> options)
{
    public const string StatusRoute = "admin/onboarding/migrations";

    [Function("OnboardingMigrationStart")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [ApiBody(typeof(MigrationRequest))]
    [ApiResponse(202, typeof(MigrationStarted), Location = true)]
    [ApiResponse(409)]
    public async Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = StatusRoute)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var body = await RequestBody.ReadJsonAsync<MigrationRequest>(request, cancellationToken).ConfigureAwait(false);
        var input = Validate(body, caller, Correlation.Get(request.HttpContext));
        var id = "onboarding-migration-" + Guid.NewGuid().ToString("N");
        // Audited before the orchestration exists: no audit entry, no migration (503).
        await audit.RecordChangeAsync(
            new AuditRecord(caller.UserId, input.DryRun ? "onboarding.migration.dry_run_started" : "onboarding.migration.started",
                $"step:{input.StepId}", AuditedChange.Accepted, input.CorrelationId, Details(id, input, null)),
            token => client.ScheduleNewOrchestrationInstanceAsync(MigrationOrchestration.Orchestrator, input, new StartOrchestrationOptions(id), token),
            cancellationToken).ConfigureAwait(false);
        var location = $"/api/{StatusRoute}/{id}";
        return ApiResult.Accepted(new MigrationStarted(id, location, input.StepId, input.ToVersion, input.Policy, input.DryRun), location);
    }

    [Function("OnboardingMigrationStatus")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(MigrationStatusView))]
    public static async Task<IActionResult> StatusAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = StatusRoute + "/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var instance = id.StartsWith("onboarding-migration-", StringComparison.Ordinal) && id.Length <= 64
            ? await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
            : null;
        if (instance is null)
        {
            throw Problems.NotFound("No such migration.");
        }

        var input = instance.ReadInputAs<MigrationInput>();
        var counts = (instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<MigrationCounts>() : instance.ReadCustomStatusAs<MigrationCounts>())
            ?? input?.Counts ?? MigrationCounts.Zero;
        return ApiResult.Ok(new MigrationStatusView(
            id, OrchestrationAdminService.ToApiStatus(instance.RuntimeStatus), input?.StepId, input?.ToVersion, input?.Policy, input?.DryRun,
            counts.Scanned, counts.Changed, counts.Unchanged, counts.Failed, counts.Restricted, instance.CreatedAt, instance.LastUpdatedAt,
            instance.FailureDetails?.ErrorMessage));
    }

    internal static Dictionary<string, string?> Details(string id, MigrationInput input, MigrationCounts? counts)
    {
        var details = new Dictionary<string, string?>
        {
            ["migrationId"] = id,
            ["toVersion"] = input.ToVersion.ToString(CultureInfo.InvariantCulture),
            ["policy"] = input.Policy,
            ["dryRun"] = input.DryRun ? "true" : "false",
        };
        if (counts is not null)
        {
            details["scanned"] = counts.Scanned.ToString(CultureInfo.InvariantCulture);
            details["changed"] = counts.Changed.ToString(CultureInfo.InvariantCulture);
            details["unchanged"] = counts.Unchanged.ToString(CultureInfo.InvariantCulture);
            details["failed"] = counts.Failed.ToString(CultureInfo.InvariantCulture);
            details["restricted"] = counts.Restricted.ToString(CultureInfo.InvariantCulture);
        }

        return details;
    }

    private MigrationInput Validate(MigrationRequest body, Caller caller, string correlationId)
    {
        var errors = new Dictionary<string, string[]>();
        var step = body.StepId is null ? null : catalog.FindStep(body.StepId);
        if (step is null)
        {
            errors["stepId"] = ["Must name a step of the catalog."];
        }
        else if (body.ToVersion is not { } to || to < 1 || to > step.Version)
        {
            errors["toVersion"] = [$"Must be between 1 and the catalog version of the step ({step.Version})."];
        }

        if (errors.Count > 0)
        {
            throw Problems.Validation(errors, "The migration request has invalid fields.");
        }

        var settings = options.Value;
        var policy = (body.Policy ?? step!.MigrationPolicy).ToString().ToLowerInvariant();
        return new MigrationInput(step!.Id, body.ToVersion!.Value, policy, body.DryRun ?? false, settings.MigrationUsersPerActivity,
            settings.MigrationPagesPerGeneration, caller.UserId, correlationId, null, MigrationCounts.Zero);
    }
}
