using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Security.Csrf;

/// <summary>The CSRF token for the caller's session.</summary>
public sealed record CsrfTokenResponse(string Token, string HeaderName, bool BoundToSession);

public sealed class CsrfFunctions(CsrfKeyProvider keys, CsrfBindings bindings)
{
    /// <summary>
    /// Issues a token bound to the caller's credential, or for an anonymous visitor to their anonymous session
    /// cookie (the consent id). A visitor with neither gets a token bound to no session: only an anonymous-cookie
    /// function accepts it, on the call that creates the visitor's cookie.
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
        var binding = bindings.Of(request.HttpContext);
        return ApiResult.Ok(new CsrfTokenResponse(tokens.Issue(binding), CsrfTokens.HeaderName, binding != CsrfBindings.Unbound));
    }
}
