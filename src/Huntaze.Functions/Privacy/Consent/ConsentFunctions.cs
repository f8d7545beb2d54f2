using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Csrf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Privacy.Consent;

/// <summary>
/// Consent for the caller: the signed-in user, else the anonymous visitor of the consent cookie. Anonymous
/// endpoints under the <c>anonymous</c> rate limit; the write gets the cookie CSRF rules whether signed in or not.
/// </summary>
public sealed class ConsentFunctions(ConsentService consent)
{
    [Function("ConsentGet")]
    [AllowAnonymousAccess]
    [RateLimit(RateLimitPolicies.Anonymous)]
    [ApiResponse(200, typeof(ConsentView), Description = "The caller's latest record and whether the banner should ask; a visitor without the consent cookie gets `ask: true` and no record.")]
    [ApiResponse(400, Description = "An anonymous caller's consent cookie names no consent record (`consent-cookie-unknown`); the response clears it.")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Answer(request, await consent.GetAsync(request.HttpContext.GetCaller(), request, cancellationToken).ConfigureAwait(false));
    }

    [Function("ConsentPut")]
    [AllowAnonymousAccess]
    [AnonymousCookieSession]
    [RateLimit(RateLimitPolicies.Anonymous)]
    [ApiBody(typeof(ConsentPutBody), Description = "The current policy version, the source and a choice for every optional category (`analytics`, `marketing`, `personalization`).")]
    [ApiResponse(200, typeof(ConsentView), Description = "The record now in force (a repeat of the choice in force appends nothing). An anonymous visitor gets the `__Host-huntaze-consent` cookie.")]
    [ApiResponse(400, Description = "An anonymous caller's consent cookie names no consent record (`consent-cookie-unknown`); the response clears it.")]
    public async Task<IActionResult> PutAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "consent")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await RequestBody.ReadJsonAsync<ConsentPutBody>(request, cancellationToken).ConfigureAwait(false);
        return Answer(request, await consent.PutAsync(request.HttpContext.GetCaller(), request, body, cancellationToken).ConfigureAwait(false));
    }

    [Function("ConsentHistory")]
    [AllowAnonymousAccess]
    [RateLimit(RateLimitPolicies.Anonymous)]
    [ApiResponse(200, typeof(ConsentHistoryView), Description = "Every record of the caller, oldest first (none for a visitor without the consent cookie).")]
    [ApiResponse(400, Description = "An anonymous caller's consent cookie names no consent record (`consent-cookie-unknown`); the response clears it.")]
    public async Task<IActionResult> HistoryAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent/history")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Answer(request, await consent.HistoryAsync(request.HttpContext.GetCaller(), request, cancellationToken).ConfigureAwait(false));
    }

    private static ApiResult Answer<T>(HttpRequest request, ConsentOutcome<T> outcome)
        where T : notnull
    {
        // The answer depends on the cookie: no shared cache may keep it for another visitor.
        request.HttpContext.Response.Headers.Append("Vary", "Cookie");
        if (outcome.SetCookie is { } setCookie)
        {
            request.HttpContext.Response.Headers.Append("Set-Cookie", setCookie);
        }

        return ApiResult.Ok(outcome.Body);
    }
}
