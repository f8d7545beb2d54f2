using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Onboarding;

/// <summary>Admin and support access to one user's onboarding.</summary>
public sealed class OnboardingAdminFunctions(OnboardingAdminService admin)
{
    [Function("OnboardingAdminUserGet")]
    [RequireRoles(Roles.Admin, Roles.Support)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(AdminUserProgress))]
    public async Task<IActionResult> GetUser(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/onboarding/users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken) =>
        ApiResult.Ok(await admin.GetAsync(userId, cancellationToken).ConfigureAwait(false));

    [Function("OnboardingAdminUserReset")]
    [RequireRoles(Roles.Admin, Roles.Support)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [NoApiBody]
    [ApiResponse(200, typeof(ResetResult))]
    public async Task<IActionResult> ResetUser(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/onboarding/users/{userId}/reset")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken) =>
        ApiResult.Ok(await admin.ResetAsync(request.RequireCaller(), userId, Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false));
}
