using System.Collections.Concurrent;
using System.Reflection;

namespace Huntaze.Functions.Platform.Hosting;

/// <summary>The kinds of trigger the app uses; anything else is reported as <see cref="Other"/>.</summary>
public enum TriggerKind
{
    Http,
    Timer,
    Orchestration,
    Activity,
    Other,
}

/// <summary>
/// One <c>[Function]</c> method as seen through its trigger attribute. The attributes stay the single
/// source of truth for names, routes, methods and schedules; both hosts and the policy checks read this.
/// </summary>
public sealed record FunctionDescriptor(
    string Name,
    MethodInfo Method,
    TriggerKind Trigger,
    ParameterInfo TriggerParameter,
    string? Route,
    IReadOnlyList<string> HttpMethods,
    string? Schedule,
    bool RunOnStartup)
{
    /// <summary>Attributes by method and type, read once: the pipeline asks on every request, and each reflection read builds new instances.</summary>
    private static readonly ConcurrentDictionary<(MethodInfo Method, Type Type), Attribute?> Attributes = new();

    /// <summary>The method's attribute of type <typeparamref name="T"/>, or the declaring class's.</summary>
    public T? GetAttribute<T>()
        where T : Attribute =>
        (T?)Attributes.GetOrAdd((Method, typeof(T)), static key => key.Method.GetCustomAttribute(key.Type) ?? key.Method.DeclaringType?.GetCustomAttribute(key.Type));
}
