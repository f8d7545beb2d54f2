using Huntaze.Functions.Flags.Admin.Contracts;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Flags.Evaluation;

/// <summary>The flags the frontend may see (<c>Flags:ClientFlags</c>), evaluated for the caller.</summary>
public sealed class FeaturesFunction(IFeatureGate gate, IOptions<FlagsOptions> options)
{
    [Function("Features")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(FeaturesResponse))]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "features")] HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var features = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in options.Value.EffectiveClientFlags)
        {
            features[name] = await gate.IsEnabledAsync(name, caller, cancellationToken).ConfigureAwait(false);
        }

        return ApiResult.Ok(new FeaturesResponse(features));
    }
}
