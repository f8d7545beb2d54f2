using System.Reflection;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.LocalHost.Functions;

/// <summary>Maps every HTTP-triggered function to <c>/{routePrefix}/{Route}</c> with its declared methods.</summary>
internal static class HttpFunctionEndpoints
{
    public static void MapHttpFunctions(this WebApplication app, FunctionCatalog catalog, string routePrefix)
    {
        foreach (var function in catalog.Functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            var pattern = string.IsNullOrEmpty(routePrefix) ? function.Route! : $"{routePrefix}/{function.Route}";
            app.MapMethods(pattern, function.HttpMethods, http => InvokeAsync(http, function))
                .WithDisplayName(function.Name)
                .WithMetadata(function);
        }
    }

    private static Task InvokeAsync(HttpContext http, FunctionDescriptor function)
    {
        var pipeline = http.RequestServices.GetRequiredService<HttpPipeline>();
        return pipeline.RunAsync(http, function, async () =>
        {
            var arguments = function.Method.GetParameters().Select(p => Bind(p, http, function)).ToArray();
            var result = await FunctionInvoker.InvokeAsync(function, http.RequestServices, arguments).ConfigureAwait(false);
            await ExecuteAsync(http, result).ConfigureAwait(false);
        });
    }

    private static object? Bind(ParameterInfo parameter, HttpContext http, FunctionDescriptor function)
    {
        if (parameter.ParameterType == typeof(HttpRequest))
        {
            return http.Request;
        }

        if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is not null)
        {
            throw new InvalidOperationException($"Function {function.Name}: the local host binds HTTP triggers as HttpRequest only.");
        }

        if (http.Request.RouteValues.TryGetValue(parameter.Name!, out var value))
        {
            return FunctionInvoker.ConvertRouteValue(FunctionInvoker.Invariant(value), parameter);
        }

        return FunctionInvoker.BindCommon(parameter, http.RequestServices, () => new LocalFunctionContext(function, http.RequestServices, http.RequestAborted, http), http.RequestAborted);
    }

    private static Task ExecuteAsync(HttpContext http, object? result) => result switch
    {
        IActionResult action => action.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor())),
        IResult minimal => minimal.ExecuteAsync(http),
        null => Task.CompletedTask,
        _ => ApiResult.Ok(result).ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor())),
    };
}
