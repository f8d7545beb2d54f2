using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// Headers every response carries, errors included (OWASP Secure Headers and REST cheat sheets): they
/// are set as the response starts, so no path can skip them.
/// </summary>
public static class ResponseHeaders
{
    private static readonly object Key = new();
    private static readonly object PolicyKey = new();

    private static readonly KeyValuePair<string, string>[] Security =
    [
        new("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
        new("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        new("X-Content-Type-Options", "nosniff"),
        new("X-Frame-Options", "DENY"),
        new("Referrer-Policy", "no-referrer"),
        new("Permissions-Policy", "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()"),
        new("Cross-Origin-Opener-Policy", "same-origin"),
        new("Cross-Origin-Resource-Policy", "same-site"),
    ];

    /// <summary>
    /// A document the API serves itself (the consent demo page) needs scripts and styles from its own origin; every
    /// other response keeps the deny-all policy. The other security headers stay as they are.
    /// </summary>
    public static void UseContentSecurityPolicy(HttpContext http, string policy)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Items[PolicyKey] = policy;
    }

    /// <summary>Arranges for the headers to be written when the response starts; idempotent.</summary>
    public static void Register(HttpContext http)
    {
        if (!http.Items.TryAdd(Key, true))
        {
            return;
        }

        http.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            foreach (var (name, value) in Security)
            {
                headers[name] = value;
            }

            if (context.Items.TryGetValue(PolicyKey, out var policy) && policy is string own)
            {
                headers.ContentSecurityPolicy = own;
            }

            headers[Correlation.Header] = Correlation.Get(context);
            headers.Remove("Server");
            headers.Remove("X-Powered-By");
            if (!headers.ContainsKey("Cache-Control"))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        }, http);
    }
}
