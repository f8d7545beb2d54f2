using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Platform.Health;

public sealed class HealthFunctions(ReadinessService readiness)
{
    /// <summary>Liveness: the process answers, and says which build it runs (the deploy smoke test checks the commit). Touches nothing.</summary>
    [Function("Health")]
    [AllowAnonymousAccess]
    [ApiResponse(200, typeof(LivenessResponse))]
    public static IActionResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        ApiResult.Ok(new LivenessResponse("alive", BuildInfo.Current));

    /// <summary>Readiness: every dependency answers within the deadline; 503 naming those that don't.</summary>
    [Function("HealthReady")]
    [AllowAnonymousAccess]
    [ApiResponse(200, typeof(ReadinessResponse), Description = "Ready (healthy or degraded); 503 names the failing checks.")]
    public async Task<IActionResult> Ready(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/ready")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await readiness.CheckAsync(cancellationToken).ConfigureAwait(false);
        var checks = report.Checks.ToDictionary(
            c => c.Key,
            c => new ReadinessCheckView(c.Value.Status.ToString().ToLowerInvariant(), c.Value.Detail, c.Value.Data));
        if (report.Status == ReadinessStatus.Unhealthy)
        {
            var failing = report.Checks.Where(c => c.Value.Status == ReadinessStatus.Unhealthy).Select(c => c.Key).ToArray();
            throw Problems.NotReady(failing, checks, TimeSpan.FromSeconds(5));
        }

        return ApiResult.Ok(new ReadinessResponse(report.Status.ToString().ToLowerInvariant(), checks));
    }
}

public sealed record LivenessResponse(string Status, BuildInfo Build);

/// <summary>GET /api/health/ready: <c>healthy</c> or <c>degraded</c>, and each dependency's report.</summary>
public sealed record ReadinessResponse(string Status, IReadOnlyDictionary<string, ReadinessCheckView> Checks);

/// <summary>One dependency's readiness: <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, why, and what it measured.</summary>
public sealed record ReadinessCheckView(string Status, string? Detail, IReadOnlyDictionary<string, object?>? Data);
