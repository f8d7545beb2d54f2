namespace Huntaze.Functions.Security;

/// <summary>The rate-limit policies (limits and windows are settings: <c>RateLimits__{policy}__Limit</c>, <c>__WindowSeconds</c>).</summary>
public static class RateLimitPolicies
{
    /// <summary>Onboarding mutations: 20 per minute per user.</summary>
    public const string StepWrites = "step-writes";

    /// <summary>Onboarding snoozes: 3 per day per user.</summary>
    public const string Snooze = "snooze";

    /// <summary>GDPR requests: 3 per day per user.</summary>
    public const string PrivacyRequests = "privacy-requests";

    /// <summary>Authenticated reads: 600 per minute per user.</summary>
    public const string Reads = "reads";

    /// <summary>Anonymous calls: 60 per minute per client IP.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>Alert notifications from Azure Monitor: 120 per minute, fail open (a page must not wait on the counter store).</summary>
    public const string AlertRelay = "alert-relay";
}

/// <summary>The rate-limit policy guarding an HTTP function, declared next to its trigger.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RateLimitAttribute(string policy) : Attribute
{
    public string Policy { get; } = policy;

    /// <summary>
    /// The function writes the caller's own partition and counts the policy there, in the same entity-group
    /// transaction as its write (a <see cref="RateLimiting.WriteBudget"/> it passes to the store), instead of a
    /// separate limiter round trip. docs/decisions/0007-write-limits-in-the-write-transaction.md.
    /// </summary>
    public bool CountedWithWrite { get; init; }
}
