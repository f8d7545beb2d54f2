using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;

namespace Huntaze.Functions.Privacy.Retention;

/// <summary>What the next retention run would remove (<c>GET /api/admin/privacy/retention/preview</c>).</summary>
public sealed record RetentionPreview(DateTimeOffset AsOf, DateTimeOffset NextRunAt, string Schedule, int Total, IReadOnlyList<RetentionStorePlan> Stores);

/// <summary>The daily retention run (schedule <c>Privacy__RetentionSchedule</c>) and its read-only preview.</summary>
public sealed partial class RetentionFunctions(RetentionService retention, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<RetentionFunctions> logger)
{
    /// <summary>A missed or repeated run only shifts removals by a day: every step re-checks what it deletes.</summary>
    [Function("PrivacyRetention")]
    public async Task RunAsync(
        [TimerTrigger("%Privacy__RetentionSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var report = await retention.RunAsync(durable, cancellationToken).ConfigureAwait(false);
        LogRan(logger, report.Total);
    }

    /// <summary>What the next run would remove, store by store. Reads only.</summary>
    [Function("PrivacyRetentionPreview")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(RetentionPreview))]
    public async Task<IActionResult> PreviewAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/privacy/retention/preview")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var plan = await retention.PlanAsync(durable, cancellationToken).ConfigureAwait(false);
        var schedule = CrontabSchedule.Parse(options.Value.RetentionSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        var nextRun = new DateTimeOffset(schedule.GetNextOccurrence(time.GetUtcNow().UtcDateTime), TimeSpan.Zero);
        return ApiResult.Ok(new RetentionPreview(plan.AsOf, nextRun, options.Value.RetentionSchedule, plan.Total, plan.Stores));
    }

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Retention removed {Total} items")]
    private static partial void LogRan(ILogger logger, int total);
}
