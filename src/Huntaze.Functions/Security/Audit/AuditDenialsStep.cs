using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security.Authentication;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// Writes an audit entry for every 401 and 403, whichever step or function refused (it wraps them all).
/// A failed append is logged and does not change the answer: the caller was refused either way.
/// </summary>
public sealed partial class AuditDenialsStep(IAuditLog audit, ILogger<AuditDenialsStep> logger) : IHttpPipelineStep
{
    private static readonly TimeSpan AppendBudget = TimeSpan.FromSeconds(5);

    public async Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation().ConfigureAwait(false);
        }
        catch (ProblemException problem) when (problem.Type.Status is 401 or 403)
        {
            await RecordAsync(invocation, problem).ConfigureAwait(false);
            throw;
        }
    }

    private async Task RecordAsync(HttpInvocation invocation, ProblemException problem)
    {
        var http = invocation.Http;
        var record = new AuditRecord(
            http.GetCaller()?.UserId ?? "anonymous",
            problem.Type.Status == 401 ? "access.unauthenticated" : "access." + problem.Type.Slug,
            "function:" + invocation.Function.Name,
            "denied",
            Correlation.Get(http),
            new Dictionary<string, string?>
            {
                ["status"] = problem.Type.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["method"] = http.Request.Method,
                ["path"] = http.Request.Path.Value,
                ["reason"] = AuthenticationOutcome.Get(http)?.Failure ?? problem.Detail,
            },
            // A refused admin call can name a user in its path or query: protected like the actor.
            SubjectsNamedBy(http));

        // Not the request's token: a client that hangs up after a 401 must still leave a trace.
        using var budget = new CancellationTokenSource(AppendBudget);
        try
        {
            await audit.AppendAsync(record, budget.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or OperationCanceledException or HttpRequestException)
        {
            LogAppendFailed(logger, exception, record.Action, invocation.Function.Name);
        }
    }

    private static string[] SubjectsNamedBy(Microsoft.AspNetCore.Http.HttpContext http) =>
        [.. new[] { http.GetRouteValue("userId") as string, http.Request.Query["userId"].ToString() }.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!)];

    [LoggerMessage(EventId = 3201, Level = LogLevel.Error, Message = "Could not audit {Action} on {FunctionName}")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string action, string functionName);
}
