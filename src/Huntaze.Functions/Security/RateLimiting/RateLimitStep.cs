using System.Globalization;
using System.Net;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// Applies the function's <see cref="RateLimitAttribute"/> policy after authorization (so refused callers
/// spend nobody's budget). Per user for signed-in callers, per client IP for the <c>anonymous</c> policy
/// and for anonymous callers. Writes the IETF draft headers (draft-ietf-httpapi-ratelimit-headers)
/// on every limited response, and answers 429 with <c>Retry-After</c> over the limit.
/// </summary>
public sealed class RateLimitStep(RateLimiter limiter, IOptions<SecurityOptions> options) : IHttpPipelineStep
{
    public async Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        var policy = invocation.Function.GetAttribute<RateLimitAttribute>()?.Policy;
        if (policy is null)
        {
            await continuation().ConfigureAwait(false);
            return;
        }

        var http = invocation.Http;
        var decision = await limiter.AcquireAsync(policy, Subject(http, policy, options.Value.TrustForwardedFor), invocation.CancellationToken).ConfigureAwait(false);
        var headers = Headers(decision);
        if (!decision.Admitted)
        {
            if (decision.StoreUnavailable)
            {
                throw Problems.DependencyUnavailable("The rate limiter cannot reach its store; write requests are refused until it can.", TimeSpan.FromSeconds(5));
            }

            throw Problems.TooManyRequests(policy, decision.Limit, decision.WindowSeconds, decision.ResetSeconds, headers);
        }

        http.Response.OnStarting(() =>
        {
            foreach (var (name, value) in headers)
            {
                http.Response.Headers[name] = value;
            }

            return Task.CompletedTask;
        });
        await continuation().ConfigureAwait(false);
    }

    /// <summary><c>RateLimit-Policy: "step-writes";q=20;w=60</c> and <c>RateLimit: "step-writes";r=7;t=42</c>.</summary>
    public static Dictionary<string, string> Headers(RateLimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"\"{decision.Policy}\";q={decision.Limit};w={decision.WindowSeconds}"),
            ["RateLimit"] = string.Create(CultureInfo.InvariantCulture, $"\"{decision.Policy}\";r={Math.Max(0, decision.Remaining)};t={decision.ResetSeconds}"),
        };
    }

    internal static string Subject(HttpContext http, string policy, bool trustForwardedFor)
    {
        if (policy != RateLimitPolicies.Anonymous && http.GetCaller() is { } caller)
        {
            return "user:" + caller.UserId;
        }

        return "ip:" + ClientIp(http, trustForwardedFor);
    }

    /// <summary>The right-most <c>X-Forwarded-For</c> entry is the one the trusted front end appended.</summary>
    internal static string ClientIp(HttpContext http, bool trustForwardedFor)
    {
        if (trustForwardedFor)
        {
            var forwarded = http.Request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (forwarded.Length > 0)
            {
                var last = forwarded[^1];
                // App Service may append the port (1.2.3.4:5678); the bucket is the address.
                if (IPEndPoint.TryParse(last, out var endPoint))
                {
                    return endPoint.Address.ToString();
                }

                return last;
            }
        }

        return http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }
}
