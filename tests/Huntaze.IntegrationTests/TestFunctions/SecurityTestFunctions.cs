using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.IntegrationTests.TestFunctions;

/// <summary>Test-only: a state-changing user function guarded like the onboarding mutations.</summary>
public static class SecurityTestFunctions
{
    [Function("TestStepWrite")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.StepWrites)]
    public static IActionResult Write([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "test/step-write")] HttpRequest request) =>
        ApiResult.NoContent();

    /// <summary>A user read under the fail-open <c>reads</c> policy that touches no storage itself.</summary>
    [Function("TestRead")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Reads)]
    public static IActionResult Read([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "test/read")] HttpRequest request) =>
        ApiResult.NoContent();
}
