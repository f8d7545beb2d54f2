using System.Globalization;
using Huntaze.Functions.Platform.Http;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// Write-ahead auditing of admin changes, the one way a change is audited: the entry is appended
/// <em>before</em> the change takes effect (outcome <see cref="Accepted"/>), so a change can never commit
/// without its entry. If the entry cannot be written the change does not run and the caller gets 503 with
/// <c>Retry-After</c> (<see cref="AuditUnavailable"/>). If the change itself then fails, a second entry with
/// the same <c>changeId</c> records it: <see cref="Aborted"/> (refused with a 4xx: nothing changed) or
/// <see cref="Failed"/> (an error: the change may or may not have taken effect; the resource tells).
/// A successful change therefore has exactly one entry.
/// </summary>
public static class AuditedChange
{
    public const string Accepted = "accepted";
    public const string Aborted = "aborted";
    public const string Failed = "failed";

    /// <summary>How long recording a failed change may take; not the request's token (a caller that hangs up must still leave a trace).</summary>
    private static readonly TimeSpan OutcomeBudget = TimeSpan.FromSeconds(5);

    public static async Task<T> RecordChangeAsync<T>(this IAuditLog audit, AuditRecord change, Func<CancellationToken, Task<T>> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(apply);
        var changeId = Guid.NewGuid().ToString("N");
        var details = new Dictionary<string, string?>(change.Details ?? new Dictionary<string, string?>(), StringComparer.Ordinal) { ["changeId"] = changeId };
        await audit.AppendAsync(change with { Outcome = Accepted, Details = details }, cancellationToken).ConfigureAwait(false);
        try
        {
            return await apply(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await RecordFailureAsync(audit, change, changeId, exception).ConfigureAwait(false);
            throw;
        }
    }

    public static Task RecordChangeAsync(this IAuditLog audit, AuditRecord change, Func<CancellationToken, Task> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return audit.RecordChangeAsync(change, async token =>
        {
            await apply(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    private static async Task RecordFailureAsync(IAuditLog audit, AuditRecord change, string changeId, Exception exception)
    {
        var problem = exception as ProblemException;
        var status = problem?.Type.Status ?? 500;
        var details = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["changeId"] = changeId,
            ["status"] = status.ToString(CultureInfo.InvariantCulture),
            ["problem"] = problem?.Type.Slug ?? (exception is OperationCanceledException ? "cancelled" : "error"),
        };
        using var budget = new CancellationTokenSource(OutcomeBudget);
        try
        {
            await audit.AppendAsync(change with { Outcome = status < 500 ? Aborted : Failed, Details = details }, budget.Token).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is ProblemException or OperationCanceledException)
        {
            // The audit log is down or slow: the accepted entry stands, and the caller sees the change's own error.
        }
    }
}
