using Azure;
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
    /// Storage could not be reached or refused for reasons of its own (outage, throttling, permissions, a
    /// chain contended past its attempts, the SDK's retries exhausted). A 400 is our bug and stays a 500.
    /// </summary>
    public static bool IsStorageFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException failed => failed.Status != 400,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(e => IsStorageFailure(e, cancellationToken)),
        HttpRequestException or IOException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
