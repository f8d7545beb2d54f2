using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Privacy.Registry;

/// <summary>The Article 30 registry as the running app obeys it.</summary>
public sealed class RegistryFunctions(DataMap map)
{
    [Function("PrivacyRegistry")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(ProcessingRegistry))]
    public IActionResult Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/privacy/registry")] HttpRequest request) =>
        ApiResult.Ok(HuntazeRegistry.Build(map));
}
