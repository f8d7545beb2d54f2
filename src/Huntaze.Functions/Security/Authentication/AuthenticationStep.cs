using System.Security.Cryptography;
using System.Text;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Huntaze.Functions.Security.Authentication;

/// <summary>
/// What authentication found on the request; read by authorization, CSRF and the audit step.
/// <see cref="DisclosableFailure"/> is the one kind of refusal reason the client may read (see <see cref="TokenValidation"/>).
/// </summary>
public sealed record AuthenticationOutcome(bool CredentialPresent, string? Failure, string? SessionBinding, string? DisclosableFailure = null)
{
    private static readonly object Key = new();

    public static AuthenticationOutcome? Get(HttpContext http) =>
        http.Items.TryGetValue(Key, out var value) ? value as AuthenticationOutcome : null;

    internal void Set(HttpContext http) => http.Items[Key] = this;
}

/// <summary>
/// Reads the access token from <c>Authorization: Bearer</c> or, failing that, from the
/// <see cref="SessionCookieName"/> cookie, and sets the caller. It never answers itself: whether an
/// anonymous or refused caller may proceed is the authorization step's decision, made from the
/// function's declared policy.
/// </summary>
public sealed partial class AuthenticationStep(TokenValidator validator, ILogger<AuthenticationStep> logger) : IHttpPipelineStep
{
    /// <summary>
    /// The browser session cookie (cookie mode). The <c>__Host-</c> prefix makes browsers insist on
    /// Secure, Path=/ and no Domain, so a sibling subdomain cannot plant it.
    /// </summary>
    public const string SessionCookieName = "__Host-huntaze-session";

    public Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        var http = invocation.Http;
        var kind = ReadCredential(http.Request, out var token);
        if (token.IsEmpty)
        {
            var present = http.Request.Headers.Authorization.Count > 0;
            new AuthenticationOutcome(present, present ? "unsupported authorization scheme" : null, null).Set(http);
            return continuation();
        }

        // A caller's next requests: the validation is reused without copying the token out of its header.
        if (validator.TryGetValidated(token, out var known))
        {
            Apply(http, known, kind);
            return continuation();
        }

        return ValidateAsync(invocation, token.ToString(), kind, continuation);
    }

    private async Task ValidateAsync(HttpInvocation invocation, string token, CredentialKind kind, Func<Task> continuation)
    {
        Apply(invocation.Http, await validator.ValidateAsync(token, invocation.CancellationToken).ConfigureAwait(false), kind);
        await continuation().ConfigureAwait(false);
    }

    private void Apply(HttpContext http, TokenValidation result, CredentialKind kind)
    {
        if (result.Caller is { } caller)
        {
            http.SetCaller(caller.Credential == kind ? caller : caller with { Credential = kind });
            new AuthenticationOutcome(true, null, result.SessionBinding).Set(http);
            // Responses for a signed-in caller are personal: no cache may keep them (OWASP REST cheat sheet).
            http.Response.OnStarting(kind == CredentialKind.Cookie ? NoStoreVaryCookie : NoStoreVaryAuthorization, http);
        }
        else
        {
            LogRejected(logger, kind, result.Failure ?? "invalid");
            new AuthenticationOutcome(true, result.Failure ?? "invalid", null, result.Disclosable).Set(http);
        }
    }

    private static readonly Func<object, Task> NoStoreVaryCookie = http => NoStore((HttpContext)http, "Cookie");
    private static readonly Func<object, Task> NoStoreVaryAuthorization = http => NoStore((HttpContext)http, "Authorization");

    private static Task NoStore(HttpContext http, string vary)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers.Append(HeaderNames.Vary, vary);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The credential: a bearer header wins over the cookie (a script that can set headers is not a CSRF vector).
    /// <paramref name="token"/> is empty when there is none or the scheme is not Bearer.
    /// </summary>
    internal static CredentialKind ReadCredential(HttpRequest request, out ReadOnlySpan<char> token)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            const string scheme = "Bearer ";
            token = authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? authorization.AsSpan(scheme.Length).Trim() : default;
            return CredentialKind.Bearer;
        }

        token = request.Cookies.TryGetValue(SessionCookieName, out var cookie) ? cookie.AsSpan().Trim() : default;
        return CredentialKind.Cookie;
    }

    /// <summary>The session identity a CSRF token is bound to: a digest of the credential, never the credential.</summary>
    internal static string Bind(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    // Debug, not Information: anyone can send junk credentials, and a line per request would let them fill the logs.
    // Denials are counted per client and minute in the denial stream and in huntaze.http metrics instead.
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Rejected {CredentialKind} credential: {Reason}")]
    private static partial void LogRejected(ILogger logger, CredentialKind credentialKind, string reason);
}
