using Huntaze.Functions.Platform.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Huntaze.Functions.Platform.Http;

public static class HttpPipelineServiceCollectionExtensions
{
    /// <summary>The pipeline and its function catalog. Features add their steps with <see cref="AddHttpPipelineStep{T}"/>.</summary>
    public static IServiceCollection AddHttpPipeline(this IServiceCollection services)
    {
        services.AddSingleton(_ => FunctionCatalog.ForApp());
        services.AddSingleton<HttpPipeline>();
        return services;
    }

    /// <summary>Appends a step; registration order is pipeline order.</summary>
    public static IServiceCollection AddHttpPipelineStep<T>(this IServiceCollection services)
        where T : class, IHttpPipelineStep
    {
        services.AddSingleton<T>();
        services.AddSingleton<IHttpPipelineStep>(sp => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>Adds an observer of every problem the pipeline answers (<see cref="IProblemObserver"/>).</summary>
    public static IServiceCollection AddProblemObserver<T>(this IServiceCollection services)
        where T : class, IProblemObserver
    {
        services.AddSingleton<IProblemObserver, T>();
        return services;
    }

    /// <summary>Enters the pipeline from the Functions host for HTTP-triggered functions only.</summary>
    public static IFunctionsWorkerApplicationBuilder UseHuntazePipeline(this IFunctionsWorkerApplicationBuilder builder) =>
        builder.UseWhen<HttpPipelineMiddleware>(static context =>
            context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase)));
}
