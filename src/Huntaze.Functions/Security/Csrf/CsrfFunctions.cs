using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Security.Csrf;

/// <summary>The CSRF token for the caller's session.</summary>
public sealed record CsrfTokenResponse(string Token, string HeaderName, bool BoundToSession);

public sealed class CsrfFunctions(CsrfKeyProvider keys)
{
    /// <summary>
    /// Issues a token bound to the caller's credential. Anonymous callers get a token bound to no
    /// session, which no state-changing request will accept: harmless, and it keeps the endpoint simple.
    /// </summary>
    [Function("CsrfToken")]
    [AllowAnonymousAccess]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(CsrfTokenResponse))]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "csrf")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tokens = await keys.GetAsync(cancellationToken).ConfigureAwait(false);
        var session = request.HttpContext.GetCaller() is null ? null : AuthenticationOutcome.Get(request.HttpContext)?.SessionBinding;
        return ApiResult.Ok(new CsrfTokenResponse(tokens.Issue(session ?? "anonymous"), CsrfTokens.HeaderName, session is not null));
    }
}
