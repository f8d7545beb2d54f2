using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security.Authentication;

namespace Huntaze.Functions.Security.Authorization;

/// <summary>
/// Enforces the function's declared <see cref="AccessPolicyAttribute"/>. Default deny: a function that
/// declares none is refused (401 to anonymous callers, 403 to signed-in ones). No or an invalid
/// credential on a protected function is 401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750 §3);
/// a valid caller without a required role is 403.
/// </summary>
public sealed class AuthorizationStep : IHttpPipelineStep
{
    public Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        var policy = invocation.Function.GetAttribute<AccessPolicyAttribute>();
        var caller = invocation.Http.GetCaller();
        var outcome = AuthenticationOutcome.Get(invocation.Http);
        var decision = Decide(policy, caller);
        return decision switch
        {
            AccessDecision.Allow => continuation(),
            AccessDecision.Unauthenticated => throw Problems.Unauthenticated(outcome?.Failure is not null, outcome?.DisclosableFailure),
            _ => throw Problems.Forbidden("The caller's roles do not allow this operation."),
        };
    }

    /// <summary>The access rule, pure so that the matrix can be tested without a host.</summary>
    public static AccessDecision Decide(AccessPolicyAttribute? policy, Caller? caller)
    {
        if (policy is null)
        {
            return caller is null ? AccessDecision.Unauthenticated : AccessDecision.Forbidden;
        }

        if (policy.AllowsAnonymous)
        {
            // A broken credential on an anonymous function is ignored rather than refused: it would not
            // grant anything there, and health probes must answer whatever a proxy forwards.
            return AccessDecision.Allow;
        }

        if (caller is null)
        {
            return AccessDecision.Unauthenticated;
        }

        return policy.Roles.Count == 0 || policy.Roles.Any(caller.IsInRole) ? AccessDecision.Allow : AccessDecision.Forbidden;
    }
}

public enum AccessDecision
{
    Allow,
    Unauthenticated,
    Forbidden,
}
