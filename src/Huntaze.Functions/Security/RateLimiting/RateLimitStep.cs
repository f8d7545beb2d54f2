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
    public Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        var attribute = invocation.Function.GetAttribute<RateLimitAttribute>();
        if (attribute is null)
        {
            return continuation();
        }

        var policy = attribute.Policy;
        var http = invocation.Http;
        if (attribute.CountedWithWrite)
        {
            return CountWithWrite(invocation, policy, continuation);
        }

        // Most requests spend a token this instance reserved: decided without a store call, and without an awaited frame.
        var acquiring = limiter.AcquireAsync(policy, Subject(http, policy, options.Value.TrustForwardedFor), invocation.CancellationToken);
        return acquiring.IsCompletedSuccessfully ? Admit(http, acquiring.Result, continuation) : AdmitAsync(http, acquiring, continuation);
    }

    private static async Task AdmitAsync(HttpContext http, ValueTask<RateLimitDecision> acquiring, Func<Task> continuation) =>
        await Admit(http, await acquiring.ConfigureAwait(false), continuation).ConfigureAwait(false);

    /// <summary>Refuses over the limit (or with the store down, as the policy's failure mode says); else writes the headers when the response starts.</summary>
    private static Task Admit(HttpContext http, RateLimitDecision decision, Func<Task> continuation)
    {
        if (!decision.Admitted)
        {
            if (decision.StoreUnavailable)
            {
                throw Problems.DependencyUnavailable("The rate limiter cannot reach its store; write requests are refused until it can.", TimeSpan.FromSeconds(5));
            }

            throw Problems.TooManyRequests(decision.Policy, decision.Limit, decision.WindowSeconds, decision.ResetSeconds, Headers(decision));
        }

        http.Response.OnStarting(WriteHeaders, new DecidedResponse(http.Response, decision));
        return continuation();
    }

    private static readonly Func<object, Task> WriteHeaders = state =>
    {
        var (response, decision) = (DecidedResponse)state;
        Write(response.Headers, decision);
        return Task.CompletedTask;
    };

    private sealed record DecidedResponse(HttpResponse Response, RateLimitDecision Decision);

    /// <summary>
    /// The policy is counted by the store, in the transaction of the function's own write (ADR 0007): attach the
    /// budget, and write the rate-limit headers from what was counted. A function that answers 2xx without
    /// counting is a defect the log names (and a test guards).
    /// </summary>
    private Task CountWithWrite(HttpInvocation invocation, string policy, Func<Task> continuation)
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
                Write(http.Response.Headers, decision);
            }
            else if (http.Response.StatusCode is >= 200 and < 300)
            {
                LogUncounted(logger, invocation.Function.Name, policy);
            }

            return Task.CompletedTask;
        });
        return continuation();
    }

    /// <summary><c>RateLimit-Policy: "step-writes";q=20;w=60</c> and <c>RateLimit: "step-writes";r=7;t=42</c>.</summary>
    public static Dictionary<string, string> Headers(RateLimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [PolicyHeader] = PolicyValue(decision),
            [StateHeader] = StateValue(decision),
        };
    }

    private const string PolicyHeader = "RateLimit-Policy";
    private const string StateHeader = "RateLimit";

    /// <summary>The two headers of <see cref="Headers"/>, written straight into a response's.</summary>
    private static void Write(IHeaderDictionary headers, RateLimitDecision decision)
    {
        headers[PolicyHeader] = PolicyValue(decision);
        headers[StateHeader] = StateValue(decision);
    }

    private static string PolicyValue(RateLimitDecision decision) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{decision.Policy}\";q={decision.Limit};w={decision.WindowSeconds}");

    private static string StateValue(RateLimitDecision decision) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{decision.Policy}\";r={Math.Max(0, decision.Remaining)};t={decision.ResetSeconds}");

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
