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
    /// <summary>
    /// One descriptor for every result: the functions' results read nothing from it, and each new one drew a random
    /// GUID for its id (a read of the kernel's random source) and built two dictionaries, on every request.
    /// </summary>
    private static readonly ActionDescriptor Descriptor = new();

    public static void MapHttpFunctions(this WebApplication app, FunctionCatalog catalog, string routePrefix)
    {
        foreach (var function in catalog.Functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            var pattern = string.IsNullOrEmpty(routePrefix) ? function.Route! : $"{routePrefix}/{function.Route}";
            var binders = Binders(function);
            app.MapMethods(pattern, function.HttpMethods, http => InvokeAsync(http, function, binders))
                .WithDisplayName(function.Name)
                .WithMetadata(function);
        }
    }

    private static Task InvokeAsync(HttpContext http, FunctionDescriptor function, Func<HttpContext, object?>[] binders)
    {
        var pipeline = http.RequestServices.GetRequiredService<HttpPipeline>();
        return pipeline.RunAsync(http, function, async () =>
        {
            var arguments = new object?[binders.Length];
            for (var i = 0; i < binders.Length; i++)
            {
                arguments[i] = binders[i](http);
            }

            var result = await FunctionInvoker.InvokeAsync(function, http.RequestServices, arguments).ConfigureAwait(false);
            await ExecuteAsync(http, result).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// How each of the function's parameters is bound on every call, worked out once, when the function is mapped
    /// (reflection per request, parameters and attributes, was a measurable share of a GET): a trigger the local host
    /// cannot bind stops the start instead of failing every request.
    /// </summary>
    internal static Func<HttpContext, object?>[] Binders(FunctionDescriptor function) =>
        [.. function.Method.GetParameters().Select(p => Binder(p, function))];

    /// <summary>One parameter: the request, a route value, or what any function can take.</summary>
    private static Func<HttpContext, object?> Binder(ParameterInfo parameter, FunctionDescriptor function)
    {
        if (parameter.ParameterType == typeof(HttpRequest))
        {
            return static http => http.Request;
        }

        if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is not null)
        {
            throw new InvalidOperationException($"Function {function.Name}: the local host binds HTTP triggers as HttpRequest only.");
        }

        var name = parameter.Name!;
        return http => http.Request.RouteValues.TryGetValue(name, out var value)
            ? FunctionInvoker.ConvertRouteValue(FunctionInvoker.Invariant(value), parameter)
            : FunctionInvoker.BindCommon(parameter, http.RequestServices, () => new LocalFunctionContext(function, http.RequestServices, http.RequestAborted, http), http.RequestAborted);
    }

    private static Task ExecuteAsync(HttpContext http, object? result) => result switch
    {
        IActionResult action => action.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), Descriptor)),
        IResult minimal => minimal.ExecuteAsync(http),
        null => Task.CompletedTask,
        _ => ApiResult.Ok(result).ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), Descriptor)),
    };
}
