using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Csrf;

/// <summary>
/// CSRF defence for cookie-authenticated, state-changing requests (OWASP CSRF cheat sheet): the
/// <c>Origin</c> (or, without it, <c>Referer</c>) must be allowlisted or the API's own origin, <c>X-CSRF-Token</c>
/// must be a token signed for this session, and a body must be JSON (415 for form, multipart and text, the
/// types a cross-site form can send without a preflight). Bearer requests are exempt: a browser never attaches
/// an <c>Authorization</c> header on its own. Anonymous calls of a function marked
/// <see cref="AnonymousCookieSessionAttribute"/> get the same rules, the token bound to the visitor's cookie.
/// </summary>
public sealed class CsrfStep(CsrfKeyProvider keys, CsrfBindings bindings, IOptions<SecurityOptions> options) : IHttpPipelineStep
{
    public Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        var http = invocation.Http;
        var caller = http.GetCaller();
        var cookieBound = caller is { Credential: CredentialKind.Cookie } ||
                          (caller is null && invocation.Function.GetAttribute<AnonymousCookieSessionAttribute>() is not null);
        return cookieBound && IsStateChanging(http.Request.Method) ? VerifyAsync(invocation, continuation) : continuation();
    }

    private async Task VerifyAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        var http = invocation.Http;
        var origin = RequestOrigin(http.Request);
        if (!options.Value.IsOriginAllowed(origin) && !IsOwnOrigin(http.Request, origin))
        {
            throw Problems.CsrfRejected("The request's Origin is not allowed.");
        }

        var session = bindings.Of(http);
        var tokens = await keys.GetAsync(invocation.CancellationToken).ConfigureAwait(false);
        if (!tokens.Verify(http.Request.Headers[CsrfTokens.HeaderName].ToString(), session))
        {
            throw Problems.CsrfRejected($"A valid {CsrfTokens.HeaderName} header is required; get one from GET /api/csrf.");
        }

        if (HasBody(http.Request))
        {
            RequestBody.EnsureJsonContentType(http.Request);
        }

        await continuation().ConfigureAwait(false);
    }

    public static bool IsStateChanging(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>
    /// Same-origin calls (a page the API serves itself, such as the consent demo): OWASP's "source origin equals
    /// target origin". A browser cannot forge <c>Origin</c> or <c>Host</c>; a non-browser client is no CSRF vector.
    /// </summary>
    private static bool IsOwnOrigin(HttpRequest request, string? origin) =>
        origin is not null && request.Host.HasValue &&
        string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 || request.Headers.ContentType.Count > 0;

    /// <summary>The <c>Origin</c> header, or the origin of <c>Referer</c> when a browser omitted it.</summary>
    private static string? RequestOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return origin;
        }

        return Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer)
            ? referer.GetLeftPart(UriPartial.Authority)
            : null;
    }
}
