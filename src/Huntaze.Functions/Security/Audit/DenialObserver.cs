using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security.Audit.Denials;
using Huntaze.Functions.Security.Authentication;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// Records every 401 and 403 the pipeline answers, whichever step or function refused, in the denial
/// stream: counted in memory per client and minute and written in the background (ADR 0007), never
/// appended to the admin chain, so a flood of junk credentials costs no storage call per request and
/// cannot delay an admin action. The client is the caller's user id when signed in, else its address.
/// An observer of the pipeline's problems, not a step around the others: a step would cost every request
/// an awaited frame to see the few that are refused.
/// </summary>
public sealed class DenialObserver(DenialRecorder denials, IOptions<SecurityOptions> security, TimeProvider time) : IProblemObserver
{
    public void Observe(HttpInvocation invocation, ProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(problem);
        if (problem.Type.Status is not (401 or 403))
        {
            return;
        }

        var http = invocation.Http;
        denials.Record(new Denial(
            time.GetUtcNow(),
            http.GetCaller() is { } caller ? "user:" + caller.UserId : "ip:" + RateLimitStep.ClientIp(http, security.Value.TrustForwardedFor),
            problem.Type.Status == 401 ? "access.unauthenticated" : "access." + problem.Type.Slug,
            invocation.Function.Name,
            Correlation.Get(http),
            AuthenticationOutcome.Get(http)?.Failure ?? problem.Detail));
    }
}
