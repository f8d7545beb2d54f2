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

    public async Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        var http = invocation.Http;
        var (token, kind) = ReadCredential(http.Request);
        if (token is null)
        {
            new AuthenticationOutcome(http.Request.Headers.Authorization.Count > 0, http.Request.Headers.Authorization.Count > 0 ? "unsupported authorization scheme" : null, null).Set(http);
            await continuation().ConfigureAwait(false);
            return;
        }

        var result = await validator.ValidateAsync(token, invocation.CancellationToken).ConfigureAwait(false);
        if (result.Caller is { } caller)
        {
            http.SetCaller(caller with { Credential = kind });
            new AuthenticationOutcome(true, null, result.SessionBinding).Set(http);
            http.Response.OnStarting(() =>
            {
                // Responses for a signed-in caller are personal: no cache may keep them (OWASP REST cheat sheet).
                var headers = http.Response.Headers;
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
                headers.Append(HeaderNames.Vary, kind == CredentialKind.Cookie ? "Cookie" : "Authorization");
                return Task.CompletedTask;
            });
        }
        else
        {
            LogRejected(logger, kind, result.Failure ?? "invalid");
            new AuthenticationOutcome(true, result.Failure ?? "invalid", null, result.Disclosable).Set(http);
        }

        await continuation().ConfigureAwait(false);
    }

    /// <summary>A bearer header wins over the cookie: a script that can set headers is not a CSRF vector.</summary>
    internal static (string? Token, CredentialKind Kind) ReadCredential(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            const string scheme = "Bearer ";
            return authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && authorization.Length > scheme.Length
                ? (authorization[scheme.Length..].Trim(), CredentialKind.Bearer)
                : (null, CredentialKind.Bearer);
        }

        return request.Cookies.TryGetValue(SessionCookieName, out var cookie) && !string.IsNullOrWhiteSpace(cookie)
            ? (cookie, CredentialKind.Cookie)
            : (null, CredentialKind.Cookie);
    }

    /// <summary>The session identity a CSRF token is bound to: a digest of the credential, never the credential.</summary>
    internal static string Bind(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    // Debug, not Information: anyone can send junk credentials, and a line per request would let them fill the logs.
    // Denials are counted per client and minute in the denial stream and in huntaze.http metrics instead.
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Rejected {CredentialKind} credential: {Reason}")]
    private static partial void LogRejected(ILogger logger, CredentialKind credentialKind, string reason);
}
