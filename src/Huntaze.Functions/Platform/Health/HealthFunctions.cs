using Huntaze.Functions.Platform.Http;
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
    public static IActionResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        ApiResult.Ok(new LivenessResponse("alive", BuildInfo.Current));

    /// <summary>Readiness: every dependency answers within the deadline; 503 naming those that don't.</summary>
    [Function("HealthReady")]
    [AllowAnonymousAccess]
    public async Task<IActionResult> Ready(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/ready")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await readiness.CheckAsync(cancellationToken).ConfigureAwait(false);
        var checks = report.Checks.ToDictionary(
            c => c.Key,
            c => new { status = c.Value.Status.ToString().ToLowerInvariant(), detail = c.Value.Detail, data = c.Value.Data });
        if (report.Status == ReadinessStatus.Unhealthy)
        {
            var failing = report.Checks.Where(c => c.Value.Status == ReadinessStatus.Unhealthy).Select(c => c.Key).ToArray();
            throw Problems.NotReady(failing, checks, TimeSpan.FromSeconds(5));
        }

        return ApiResult.Ok(new { status = report.Status.ToString().ToLowerInvariant(), checks });
    }
}

public sealed record LivenessResponse(string Status, BuildInfo Build);
