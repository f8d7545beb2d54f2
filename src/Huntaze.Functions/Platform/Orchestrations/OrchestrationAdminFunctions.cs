using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Platform.Orchestrations;

/// <summary>Admin view of the task hub: list instances by status, read one, terminate one (audited).</summary>
public sealed class OrchestrationAdminFunctions(OrchestrationAdminService admin)
{
    /// <summary><c>GET /api/admin/orchestrations?status=running,failed&amp;pageSize=&amp;continuation=</c>.</summary>
    [Function("OrchestrationList")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiQuery("status", typeof(string), "Comma-separated statuses: pending, running, suspended, completed, failed, terminated (default: all).")]
    [ApiQuery("pageSize", typeof(int), "1 to 100 (default 50).")]
    [ApiQuery("continuation", typeof(string), "The continuationToken of the previous page.")]
    [ApiResponse(200, typeof(OrchestrationPage))]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrchestrationAdminService.Route)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = OrchestrationAdminService.ParseQuery(request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        return ApiResult.Ok(await admin.ListAsync(client, query, request.RequireCaller(), Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false));
    }

    [Function("OrchestrationGet")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(OrchestrationView))]
    public static async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrchestrationAdminService.Route + "/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        ApiResult.Ok(await OrchestrationAdminService.GetAsync(client, id, cancellationToken).ConfigureAwait(false));

    [Function("OrchestrationTerminate")]
    [RequireRoles(Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [NoApiBody]
    [ApiQuery("reason", typeof(string), "Why (1 to 200 characters; audited).")]
    [ApiResponse(202, typeof(TerminationAccepted), Location = true)]
    [ApiResponse(409, Description = "The orchestration has already completed, failed or been terminated.")]
    public async Task<IActionResult> TerminateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = OrchestrationAdminService.Route + "/{id}/terminate")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var accepted = await admin.TerminateAsync(client, id, request.Query["reason"].ToString() is { Length: > 0 and <= 200 } reason ? reason : null,
            request.RequireCaller(), Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false);
        return ApiResult.Accepted(accepted, accepted.StatusUrl);
    }
}
