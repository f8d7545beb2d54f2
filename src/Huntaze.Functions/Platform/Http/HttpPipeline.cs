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
public sealed partial class HttpPipeline(IEnumerable<IHttpPipelineStep> steps, IEnumerable<IProblemObserver> observers, ILogger<HttpPipeline> logger)
{
    private readonly IHttpPipelineStep[] _steps = [.. steps];
    private readonly IProblemObserver[] _observers = [.. observers];

    public async Task RunAsync(HttpContext http, FunctionDescriptor function, Func<Task> invokeFunction)
    {
        var correlationId = Correlation.Get(http);
        ResponseHeaders.Register(http);
        var span = Activity.Current;
        using var scope = logger.BeginScope(new PipelineLogScope(correlationId, span, http, function.Name));
        RequestTelemetry.Enrich(span, correlationId, null);
        var invocation = new HttpInvocation(http, function);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await new StepRun(_steps, invocation, invokeFunction).Continue().ConfigureAwait(false);
        }
        catch (ProblemException problem)
        {
            Tell(invocation, problem);
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
    }

    /// <summary>An observer that fails must not change the answer (it ran inside the catch: it would escape the pipeline unmapped).</summary>
    private void Tell(HttpInvocation invocation, ProblemException problem)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.Observe(invocation, problem);
            }
#pragma warning disable CA1031 // Whatever an observer throws, the client still gets the problem it was answered.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogObserverFailed(logger, exception, observer.GetType().Name, invocation.Function.Name);
            }
        }
    }

    /// <summary>One request's walk through the steps: one object and one delegate, whatever the number of steps.</summary>
    private sealed class StepRun
    {
        private readonly IHttpPipelineStep[] _steps;
        private readonly HttpInvocation _invocation;
        private readonly Func<Task> _invokeFunction;
        private int _next;

        public StepRun(IHttpPipelineStep[] steps, HttpInvocation invocation, Func<Task> invokeFunction)
        {
            _steps = steps;
            _invocation = invocation;
            _invokeFunction = invokeFunction;
            Continue = Next;
        }

        /// <summary>Runs the next step (each step calls it at most once), then the function.</summary>
        public Func<Task> Continue { get; }

        private Task Next()
        {
            var index = _next++;
            return index < _steps.Length ? _steps[index].InvokeAsync(_invocation, Continue) : _invokeFunction();
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Function {FunctionName} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string functionName);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Problem observer {Observer} failed in function {FunctionName}")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string observer, string functionName);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Function {FunctionName} answered 503: a dependency is unavailable")]
    private static partial void LogDependencyOutage(ILogger logger, Exception exception, string functionName);
}
