using Huntaze.Functions.Platform.Http;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// The one answer when the audit log cannot record: 503 <c>dependency-unavailable</c> with <c>Retry-After</c>.
/// Admin changes record before they take effect (<see cref="AuditedChange"/>) and audited reads record
/// before they answer, so this answer always means nothing was changed or disclosed.
/// </summary>
public static class AuditUnavailable
{
    public const string Detail = "The audit log cannot record this request right now, so nothing was changed or disclosed. Retry later.";

    public static ProblemException Problem(int retryAfterSeconds) => Problems.DependencyUnavailable(Detail, TimeSpan.FromSeconds(retryAfterSeconds));

    /// <summary>
    /// Storage could not take or serve it: an outage as the SDK reports it once its retries gave up
    /// (<see cref="DependencyFailure"/>), or a chain contended past its attempts.
    /// </summary>
    public static bool IsStorageFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is AuditContendedException || DependencyFailure.IsOutage(exception, cancellationToken);
}
