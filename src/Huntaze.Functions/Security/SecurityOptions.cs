namespace Huntaze.Functions.Security;

/// <summary>Settings under <c>Security__*</c>: browser-facing protections (CORS, CSRF) and client identification.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// Origins (scheme://host[:port]) allowed to call with credentials: the CORS allowlist and the CSRF
    /// <c>Origin</c> allowlist are the same list, so one setting cannot drift from the other.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// Base64 HMAC key (at least 32 bytes) signing CSRF tokens. Optional: see <see cref="Csrf.CsrfKeyProvider"/>
    /// for the derived (Development) and stored (elsewhere) fallbacks.
    /// </summary>
    public string? CsrfSigningKey { get; set; }

    /// <summary>
    /// When true, the client IP (anonymous rate limits) is the right-most <c>X-Forwarded-For</c> entry,
    /// which the Azure front end appends; otherwise the connection's address. Only enable behind a proxy
    /// that always sets the header, or clients could pick their own bucket.
    /// </summary>
    public bool TrustForwardedFor { get; set; }

    public bool IsOriginAllowed(string? origin) =>
        !string.IsNullOrEmpty(origin) && AllowedOrigins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));

    public static bool IsValidOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query);
}
