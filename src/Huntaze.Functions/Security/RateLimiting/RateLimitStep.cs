using System.Globalization;
using System.Net;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// Applies the function's <see cref="RateLimitAttribute"/> policy after authorization (so refused callers
/// spend nobody's budget). Per user for signed-in callers, per client IP for the <c>anonymous</c> policy
/// and for anonymous callers. Writes the IETF draft headers (draft-ietf-httpapi-ratelimit-headers)
/// on every limited response, and answers 429 with <c>Retry-After</c> over the limit.
/// </summary>
public sealed partial class RateLimitStep(RateLimiter limiter, IOptions<SecurityOptions> options, TimeProvider time, ILogger<RateLimitStep> logger) : IHttpPipelineStep
{
    public async Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        var attribute = invocation.Function.GetAttribute<RateLimitAttribute>();
        if (attribute is null)
        {
            await continuation().ConfigureAwait(false);
            return;
        }

        var policy = attribute.Policy;
        var http = invocation.Http;
        if (attribute.CountedWithWrite)
        {
            await CountWithWriteAsync(invocation, policy, continuation).ConfigureAwait(false);
            return;
        }

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

    /// <summary>
    /// The policy is counted by the store, in the transaction of the function's own write (ADR 0007): attach the
    /// budget, and write the rate-limit headers from what was counted. A function that answers 2xx without
    /// counting is a defect the log names (and a test guards).
    /// </summary>
    private async Task CountWithWriteAsync(HttpInvocation invocation, string policy, Func<Task> continuation)
    {
        var http = invocation.Http;
        var caller = http.GetCaller() ?? throw new InvalidOperationException($"Policy '{policy}' is counted in the caller's partition: the function must require a user.");
        var settings = limiter.Settings(policy);
        var now = time.GetUtcNow();
        var budget = new WriteBudget(policy, caller.UserId, settings.Limit, settings.WindowSeconds, FixedWindow.At(now, settings.WindowSeconds), now);
        budget.Attach(http);
        http.Response.OnStarting(() =>
        {
            if (budget.Decision is { } decision)
            {
                foreach (var (name, value) in Headers(decision))
                {
                    http.Response.Headers[name] = value;
                }
            }
            else if (http.Response.StatusCode is >= 200 and < 300)
            {
                LogUncounted(logger, invocation.Function.Name, policy);
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

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Function {FunctionName} answered 2xx without counting its '{Policy}' write budget")]
    private static partial void LogUncounted(ILogger logger, string functionName, string policy);
}
