using Huntaze.Functions.Platform.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// Enters <see cref="HttpPipeline"/> from the Functions host. Registered only for HTTP triggers, since
/// worker middleware around orchestrator triggers can break replay (durable-extension #2425).
/// </summary>
internal sealed class HttpPipelineMiddleware(HttpPipeline pipeline, FunctionCatalog catalog) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.GetHttpContext();
        if (http is null || !catalog.TryGet(context.FunctionDefinition.Name, out var function))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        await pipeline.RunAsync(http, function, () => next(context)).ConfigureAwait(false);
    }
}
