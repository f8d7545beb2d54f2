using System.Diagnostics;
using Huntaze.Functions.Observability;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// The single HTTP pipeline. The Functions host enters it from worker middleware, the local host from
/// its endpoint; <c>invokeFunction</c> runs the function and writes its result.
/// </summary>
public sealed partial class HttpPipeline(IEnumerable<IHttpPipelineStep> steps, ILogger<HttpPipeline> logger)
{
    private readonly IHttpPipelineStep[] _steps = [.. steps];

    public async Task RunAsync(HttpContext http, FunctionDescriptor function, Func<Task> invokeFunction)
    {
        var correlationId = Correlation.Get(http);
        ResponseHeaders.Register(http);
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["CorrelationId"] = correlationId,
            ["TraceId"] = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
            ["FunctionName"] = function.Name,
        });

        var span = Activity.Current;
        RequestTelemetry.Enrich(span, correlationId, null);
        var invocation = new HttpInvocation(http, function);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await Next(0).ConfigureAwait(false);
        }
        catch (ProblemException problem)
        {
            await ProblemWriter.WriteAsync(http, problem).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: there is nobody to answer.
        }
        catch (BadHttpRequestException)
        {
            // Framing errors met outside RequestBody (which names them): still the caller's fault.
            await ProblemWriter.WriteAsync(http, Problems.BadRequest("The request is malformed (its body framing or headers).")).ConfigureAwait(false);
        }
        catch (Exception exception) when (DependencyFailure.IsOutage(exception, http.RequestAborted))
        {
            // Storage calls are retried once, by the SDK's pipeline (docs/decisions/0006-one-retry-layer.md);
            // what reaches here is what remained after it. Writes are single transactions: nothing half-written.
            LogDependencyOutage(logger, exception, function.Name);
            await ProblemWriter.WriteAsync(http, Problems.DependencyUnavailable("A dependency (storage) is unavailable. Retry shortly.", TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogUnhandled(logger, exception, function.Name);
            await ProblemWriter.WriteAsync(http, Problems.Internal()).ConfigureAwait(false);
        }
        finally
        {
            RequestTelemetry.Record(Stopwatch.GetElapsedTime(started), function.Route, http.Request.Method, http.Response.StatusCode);
            RequestTelemetry.Enrich(span, correlationId, http.GetCaller()?.UserId);
        }

        Task Next(int index) =>
            index < _steps.Length ? _steps[index].InvokeAsync(invocation, () => Next(index + 1)) : invokeFunction();
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Function {FunctionName} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string functionName);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Function {FunctionName} answered 503: a dependency is unavailable")]
    private static partial void LogDependencyOutage(ILogger logger, Exception exception, string functionName);
}
