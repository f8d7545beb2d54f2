using System.Text.Json;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.LocalHost.Functions;
using Microsoft.DurableTask;

namespace Huntaze.LocalHost.Durable;

/// <summary>Holds the app's root services for activities, which the engine calls outside any request.</summary>
internal sealed class ServiceProviderHolder
{
    public IServiceProvider? Services { get; set; }
}

/// <summary>
/// Registers every orchestration- and activity-triggered function with the in-process Durable Task
/// engine under its function name, as the Durable extension does in the Functions host.
/// </summary>
internal static class DurableFunctionRegistry
{
    public static void Register(DurableTaskRegistry tasks, FunctionCatalog catalog, ServiceProviderHolder holder)
    {
        foreach (var function in catalog.Functions)
        {
            switch (function.Trigger)
            {
                case TriggerKind.Orchestration:
                    tasks.AddOrchestratorFunc<JsonElement?, object?>(function.Name, (context, input) => RunOrchestratorAsync(function, holder, context, input));
                    break;
                case TriggerKind.Activity:
                    tasks.AddActivityFunc<JsonElement?, object?>(function.Name, (context, input) => RunActivityAsync(function, holder, input));
                    break;
            }
        }
    }

    private static Task<object?> RunOrchestratorAsync(FunctionDescriptor function, ServiceProviderHolder holder, TaskOrchestrationContext context, JsonElement? input)
    {
        var services = holder.Services ?? throw new InvalidOperationException("The local host has not finished starting.");
        var wrapped = new InputOrchestrationContext(context, input);
        var arguments = function.Method.GetParameters()
            .Select(p => p == function.TriggerParameter
                ? wrapped
                : FunctionInvoker.BindCommon(p, services, () => new LocalFunctionContext(function, services, CancellationToken.None), CancellationToken.None))
            .ToArray();

        // Orchestrator code must stay on the engine's thread: invoke synchronously, never ConfigureAwait(false).
        return FunctionInvoker.InvokeAsync(function, services, arguments, captureContext: true);
    }

    private static async Task<object?> RunActivityAsync(FunctionDescriptor function, ServiceProviderHolder holder, JsonElement? input)
    {
        var services = holder.Services ?? throw new InvalidOperationException("The local host has not finished starting.");
        await using var scope = services.CreateAsyncScope();
        var arguments = function.Method.GetParameters()
            .Select(p => p == function.TriggerParameter
                ? FunctionInvoker.ConvertPayload(input, p.ParameterType)
                : FunctionInvoker.BindCommon(p, scope.ServiceProvider, () => new LocalFunctionContext(function, scope.ServiceProvider, CancellationToken.None), CancellationToken.None))
            .ToArray();
        return await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, arguments).ConfigureAwait(false);
    }
}
