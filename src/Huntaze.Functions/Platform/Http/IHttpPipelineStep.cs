using Huntaze.Functions.Platform.Hosting;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Platform.Http;

/// <summary>One HTTP function invocation as the pipeline sees it.</summary>
public sealed record HttpInvocation(HttpContext Http, FunctionDescriptor Function)
{
    public CancellationToken CancellationToken => Http.RequestAborted;
}

/// <summary>
/// A cross-cutting concern of every HTTP function (authentication, CSRF, rate limits, ...). Steps run
/// in registration order (see <see cref="HttpPipelineServiceCollectionExtensions"/>), in both hosts;
/// a step answers by throwing <see cref="ProblemException"/> or by not calling <c>continuation</c>, and
/// calls it at most once. A step with nothing to do after the rest returns <c>continuation()</c> rather
/// than awaiting it: every request passes every step, and an <c>async</c> pass-through costs a state machine
/// and a resumption on each.
/// </summary>
public interface IHttpPipelineStep
{
    Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation);
}

/// <summary>
/// Told of every problem the pipeline answers (whichever step or function threw it), before it is written;
/// how the denial stream sees every 401 and 403 without wrapping the pipeline in a step of its own.
/// </summary>
public interface IProblemObserver
{
    void Observe(HttpInvocation invocation, ProblemException problem);
}
