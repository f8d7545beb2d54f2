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
/// a step answers by throwing <see cref="ProblemException"/> or by not calling <c>continuation</c>.
/// </summary>
public interface IHttpPipelineStep
{
    Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation);
}
