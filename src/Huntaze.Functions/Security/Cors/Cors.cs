using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Huntaze.Functions.Security.Cors;

/// <summary>
/// CORS for allowlisted origins with credentials (<see cref="SecurityOptions.AllowedOrigins"/>). In Azure the
/// platform's CORS setting answers preflights before the worker sees them and takes precedence over
/// headers the app sets, so Bicep must set <c>siteConfig.cors.allowedOrigins</c> to the same list with
/// <c>supportCredentials: true</c>; the local host calls <see cref="TryHandlePreflight"/> and the
/// <see cref="CorsStep"/> decorates actual responses (docs/security.md, "CORS").
/// </summary>
public static class Cors
{
    public const string AllowedMethods = "GET, POST, PUT, PATCH, DELETE";
    public const string AllowedHeaders = "Authorization, Content-Type, If-Match, If-None-Match, X-CSRF-Token, X-Correlation-ID";
    public const string ExposedHeaders = "ETag, Location, Retry-After, RateLimit, RateLimit-Policy, X-Correlation-ID";
    public const int MaxAgeSeconds = 600;

    public static bool IsPreflight(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpMethods.IsOptions(request.Method)
            && request.Headers.Origin.Count > 0
            && request.Headers.AccessControlRequestMethod.Count > 0;
    }

    /// <summary>
    /// For the local host: answers a CORS preflight (204, with allow headers only for an allowlisted
    /// origin) and returns true, or returns false when the request is not a preflight.
    /// </summary>
    public static bool TryHandlePreflight(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!IsPreflight(http.Request))
        {
            return false;
        }

        ResponseHeaders.Register(http);
        var options = http.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var origin = http.Request.Headers.Origin.ToString();
        var headers = http.Response.Headers;
        headers.Append(HeaderNames.Vary, "Origin");
        if (options.IsOriginAllowed(origin))
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = "true";
            headers.AccessControlAllowMethods = AllowedMethods;
            headers.AccessControlAllowHeaders = AllowedHeaders;
            headers.AccessControlMaxAge = MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        http.Response.StatusCode = StatusCodes.Status204NoContent;
        return true;
    }

    /// <summary>Adds the CORS response headers for an allowlisted origin to an actual (non-preflight) response.</summary>
    public static void ApplyToResponse(HttpContext http, SecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return;
        }

        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.Append(HeaderNames.Vary, "Origin");
            if (options.IsOriginAllowed(origin))
            {
                headers.AccessControlAllowOrigin = origin;
                headers.AccessControlAllowCredentials = "true";
                headers.AccessControlExposeHeaders = ExposedHeaders;
            }

            return Task.CompletedTask;
        });
    }
}

/// <summary>First step of the pipeline, so that errors (401, 403, 429) are readable by allowlisted front ends too.</summary>
public sealed class CorsStep(IOptions<SecurityOptions> options) : IHttpPipelineStep
{
    public Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        Cors.ApplyToResponse(invocation.Http, options.Value);
        return continuation();
    }
}
