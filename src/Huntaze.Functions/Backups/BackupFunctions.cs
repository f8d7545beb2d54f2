using Huntaze.Functions.Backups.Restore;
using Huntaze.Functions.Backups.Run;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Backups;

/// <summary>The admin API of backups and restores (what <c>huntaze backup|restore</c> calls), and the weekly drill.</summary>
public sealed class BackupFunctions(BackupCatalog catalog, RestoreStarter starter, BackupRunStarter runs, RestoreState state, IOptions<BackupOptions> options, TimeProvider time)
{
    public const string Route = "admin/backups";

    [Function("BackupList")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(BackupListView))]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var manifests = await catalog.ListAsync(cancellationToken).ConfigureAwait(false);
        var dates = manifests.Select(m => BackupCatalog.Parse(m.Date)).ToList();
        var items = manifests.Select(m =>
        {
            var date = BackupCatalog.Parse(m.Date);
            var tier = BackupTiers.Of(date, dates);
            return new BackupView(
                m.Date, BackupTiers.Tag(tier), BackupCatalog.Format(BackupTiers.KeepUntil(date, tier, options.Value)), m.StartedAt, m.CompletedAt, m.AppVersion, m.SchemaVersion,
                m.Rows, m.Bytes, m.Verification is null ? "unverified" : m.Verified ? "verified" : "failed", m.Verification?.At, m.Verification?.Failures ?? [],
                [.. m.Files.Select(f => new BackupFileView(f.Table, f.Rows, f.Bytes, f.Sha256))]);
        }).ToList();
        var drill = await state.LatestDrillAsync(cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(new BackupListView(items, drill, options.Value.JournalDays));
    }

    [Function("BackupRunStart")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [NoApiBody]
    [ApiResponse(202, typeof(BackupRunAccepted), Location = true, Description = "Started (audited first); Location is its status URL.")]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/run")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var caller = request.HttpContext.RequireCaller();
        var today = BackupCatalog.Format(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        return await StartRunAsync(client, new BackupRunInput(today, false, caller.UserId, Correlation.Get(request.HttpContext)), cancellationToken).ConfigureAwait(false);
    }

    [Function("BackupVerifyStart")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [NoApiBody]
    [ApiResponse(202, typeof(BackupRunAccepted), Location = true, Description = "Verification started (audited first); Location is its status URL.")]
    public async Task<IActionResult> VerifyAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/{date}/verify")] HttpRequest request,
        string date,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var caller = request.HttpContext.RequireCaller();
        if (!BackupCatalog.TryParse(date, out var parsed))
        {
            throw Problems.Validation("date", "Must be a date, yyyy-MM-dd.");
        }

        if (await catalog.GetAsync(parsed, cancellationToken).ConfigureAwait(false) is null)
        {
            throw Problems.NotFound($"There is no backup of {date}.", "backup", date);
        }

        return await StartRunAsync(client, new BackupRunInput(date, true, caller.UserId, Correlation.Get(request.HttpContext)), cancellationToken).ConfigureAwait(false);
    }

    [Function("BackupRunStatus")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(BackupRunStatusView))]
    public static async Task<IActionResult> RunStatusAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/runs/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var instance = await FindAsync(client, id, BackupRunOrchestration.IdPrefix, cancellationToken).ConfigureAwait(false)
            ?? throw Problems.NotFound("No such backup run.");
        return ApiResult.Ok(new BackupRunStatusView(
            id, OrchestrationAdminService.ToApiStatus(instance.RuntimeStatus), instance.ReadInputAs<BackupRunInput>(),
            instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<BackupRunOutcome>() : null,
            instance.SerializedCustomStatus is null ? null : instance.ReadCustomStatusAs<string>(),
            instance.CreatedAt, instance.LastUpdatedAt, instance.FailureDetails?.ErrorMessage));
    }

    [Function("BackupRestoreStart")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [ApiBody(typeof(RestoreRequest))]
    [ApiResponse(202, typeof(RestoreAccepted), Location = true, Description = "Started (audited first); Location is its status URL.")]
    [ApiResponse(404, Description = "There is no backup of that date.")]
    [ApiResponse(409, Description = "A restore is running, the backup failed verification (live), or a live restore lies between the backup and the point in time.")]
    public async Task<IActionResult> RestoreAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/restore")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var caller = request.HttpContext.RequireCaller();
        var body = await RequestBody.ReadJsonAsync<RestoreRequest>(request, cancellationToken).ConfigureAwait(false);
        var input = await starter.StartAsync(body, caller.UserId, Correlation.Get(request.HttpContext), client, cancellationToken).ConfigureAwait(false);
        var location = $"/api/{Route}/restores/{input.RestoreId}";
        return ApiResult.Accepted(
            new RestoreAccepted(input.RestoreId, location, input.Backup, input.PointInTime, input.Tables, input.Target, input.DryRun, input.Target == RestoreTargets.Side ? input.SidePrefix : null),
            location);
    }

    [Function("BackupRestoreStatus")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(RestoreStatusView))]
    public async Task<IActionResult> RestoreStatusAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/restores/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var instance = await FindAsync(client, id, RestoreStarter.IdPrefix, cancellationToken).ConfigureAwait(false)
            ?? throw Problems.NotFound("No such restore.");
        var input = instance.ReadInputAs<RestoreInput>();
        var progress = instance.SerializedCustomStatus is null ? null : instance.ReadCustomStatusAs<RestoreProgress>();
        if (progress is { Phase: "restoring" } && await state.ProgressAsync(id, cancellationToken).ConfigureAwait(false) is { } rows)
        {
            progress = progress with { RowsDone = Math.Max(progress.RowsDone, rows) };
        }

        return ApiResult.Ok(new RestoreStatusView(
            id, OrchestrationAdminService.ToApiStatus(instance.RuntimeStatus), input?.Backup, input?.PointInTime, input?.Target, input?.DryRun, input?.Drill, input?.Tables,
            input?.Target == RestoreTargets.Side ? input.SidePrefix : null, progress,
            instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<RestoreOutcome>() : null,
            instance.CreatedAt, instance.LastUpdatedAt, instance.FailureDetails?.ErrorMessage));
    }

    /// <summary>The weekly drill (<c>Backups__DrillSchedule</c>, default Sunday 04:00 UTC): the latest verified backup into side tables, compared, dropped.</summary>
    [Function("BackupDrill")]
    public Task RunDrillAsync([TimerTrigger("%Backups__DrillSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        starter.StartDrillAsync(client, cancellationToken);

    private async Task<IActionResult> StartRunAsync(DurableTaskClient client, BackupRunInput input, CancellationToken cancellationToken)
    {
        var id = await runs.StartAsync(client, input, cancellationToken).ConfigureAwait(false);
        var location = $"/api/{Route}/runs/{id}";
        return ApiResult.Accepted(new BackupRunAccepted(id, location, input.Date, input.VerifyOnly), location);
    }

    private static async Task<OrchestrationMetadata?> FindAsync(DurableTaskClient client, string id, string prefix, CancellationToken cancellationToken) =>
        id.StartsWith(prefix, StringComparison.Ordinal) && id.Length <= 64
            ? await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
            : null;
}

/// <summary>The answer to <c>POST /api/admin/backups/run</c> and <c>…/{date}/verify</c>.</summary>
public sealed record BackupRunAccepted(string Id, string StatusUrl, string Date, bool VerifyOnly);

/// <summary>The answer to <c>POST /api/admin/backups/restore</c>; <see cref="SidePrefix"/> names the side tables (target side).</summary>
public sealed record RestoreAccepted(string Id, string StatusUrl, string Backup, DateTimeOffset? PointInTime, IReadOnlyList<string> Tables, string Target, bool DryRun, string? SidePrefix);

public sealed record BackupFileView(string Table, long Rows, long Bytes, string Sha256);

public sealed record BackupView(
    string Date, string Tier, string KeepUntil, DateTimeOffset StartedAt, DateTimeOffset CompletedAt, string AppVersion, int SchemaVersion,
    long Rows, long Bytes, string Verification, DateTimeOffset? VerifiedAt, IReadOnlyList<string> Failures, IReadOnlyList<BackupFileView> Files);

public sealed record BackupListView(IReadOnlyList<BackupView> Backups, DrillRecord? LastDrill, int PointInTimeDays);

public sealed record BackupRunStatusView(string Id, string State, BackupRunInput? Input, BackupRunOutcome? Result, string? Phase, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, string? Error);
