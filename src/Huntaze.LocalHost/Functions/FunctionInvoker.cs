using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Huntaze.LocalHost.Functions;

/// <summary>
/// Calls a function method the way the isolated worker does: a fresh instance of its class from the
/// invocation's service scope (static methods need none), each parameter bound by type or binding.
/// </summary>
internal static class FunctionInvoker
{
    /// <summary>A factory per function class (its constructor found once), as the worker builds its activators once.</summary>
    private static readonly ConcurrentDictionary<Type, ObjectFactory> Factories = new();

    /// <summary>The <c>Result</c> of each <c>Task{T}</c> type met, or null for a task without one.</summary>
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> ResultProperties = new();

    /// <summary>Binds what a non-trigger parameter can be, in any function.</summary>
    public static object? BindCommon(ParameterInfo parameter, IServiceProvider services, Func<FunctionContext> functionContext, CancellationToken cancellationToken)
    {
        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
        {
            return cancellationToken;
        }

        if (type == typeof(FunctionContext))
        {
            return functionContext();
        }

        if (parameter.GetCustomAttribute<DurableClientAttribute>() is not null || type == typeof(DurableTaskClient))
        {
            return services.GetRequiredService<DurableTaskClient>();
        }

        throw new InvalidOperationException($"The local host cannot bind parameter '{parameter.Name}' of type {type.Name}.");
    }

    /// <param name="captureContext">True for orchestrators, whose code must continue on the engine's context.</param>
    public static async Task<object?> InvokeAsync(FunctionDescriptor function, IServiceProvider services, object?[] arguments, bool captureContext = false)
    {
        var target = function.Method.IsStatic ? null : Factories.GetOrAdd(function.Method.DeclaringType!, static type => ActivatorUtilities.CreateFactory(type, Type.EmptyTypes))(services, null);
        try
        {
            var returned = function.Method.Invoke(target, arguments);
            return await UnwrapAsync(returned, captureContext).ConfigureAwait(captureContext);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
            throw;
        }
        finally
        {
            switch (target)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>Awaits Task, Task{T}, ValueTask and ValueTask{T}; returns the result, if any.</summary>
    public static async Task<object?> UnwrapAsync(object? returned, bool captureContext = false)
    {
        switch (returned)
        {
            case Task task:
                await task.ConfigureAwait(captureContext);
                return ResultProperties.GetOrAdd(task.GetType(), static type => type.IsGenericType && type.GetGenericArguments()[0].Name != "VoidTaskResult" ? type.GetProperty("Result") : null)?.GetValue(task);
            case ValueTask valueTask:
                await valueTask.ConfigureAwait(captureContext);
                return null;
            case not null when returned.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(ValueTask<>):
                var asTask = (Task)t.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!;
                return await UnwrapAsync(asTask, captureContext).ConfigureAwait(captureContext);
            default:
                return returned;
        }
    }

    /// <summary>A route value converted to the parameter's type; a value that does not convert is the caller's fault.</summary>
    public static object? ConvertRouteValue(string? value, ParameterInfo parameter)
    {
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (value is null || type == typeof(string))
        {
            return value;
        }

        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
        }
        catch (Exception exception) when (exception is FormatException or NotSupportedException or ArgumentException)
        {
            throw Problems.BadRequest($"Route value '{parameter.Name}' is not a valid {RouteValueKind(type)}.");
        }
    }

    /// <summary>What a route value must look like, in the API's words rather than .NET type names.</summary>
    private static string RouteValueKind(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Boolean => "boolean (true or false)",
        TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 => "integer",
        TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "number",
        TypeCode.DateTime => "date-time",
        _ when type == typeof(Guid) => "GUID",
        _ => "value",
    };

    /// <summary>A trigger payload (activity input) converted to the parameter's type.</summary>
    public static object? ConvertPayload(JsonElement? payload, Type type) =>
        payload is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
            ? (type.IsValueType ? Activator.CreateInstance(type) : null)
            : element.Deserialize(type, ApiJson.Options);

    public static string Invariant(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
