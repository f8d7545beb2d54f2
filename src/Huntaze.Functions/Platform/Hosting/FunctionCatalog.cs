using System.Collections.Frozen;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Platform.Hosting;

/// <summary>
/// Every <c>[Function]</c> in a set of assemblies, found by reflection over the same attributes the
/// Functions SDK reads to write <c>functions.metadata</c>.
/// </summary>
public sealed class FunctionCatalog
{
    private readonly FrozenDictionary<string, FunctionDescriptor> _byName;

    public FunctionCatalog(IEnumerable<Assembly> assemblies)
    {
        Functions = [.. assemblies.Distinct().SelectMany(Discover).OrderBy(f => f.Name, StringComparer.Ordinal)];
        var duplicate = Functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Function name '{duplicate.Key}' is declared more than once.");
        }

        _byName = Functions.ToFrozenDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The catalog of the app assembly alone.</summary>
    public static FunctionCatalog ForApp() => new([typeof(FunctionCatalog).Assembly]);

    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    public bool TryGet(string name, out FunctionDescriptor descriptor) => _byName.TryGetValue(name, out descriptor!);

    private static IEnumerable<FunctionDescriptor> Discover(Assembly assembly)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes().Where(t => t.IsClass))
        {
            foreach (var method in type.GetMethods(flags))
            {
                var function = method.GetCustomAttribute<FunctionAttribute>();
                if (function is not null)
                {
                    yield return Describe(function.Name, method);
                }
            }
        }
    }

    private static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            foreach (var attribute in parameter.GetCustomAttributes())
            {
                switch (attribute)
                {
                    case HttpTriggerAttribute http:
                        return new(name, method, TriggerKind.Http, parameter, http.Route ?? name,
                            [.. (http.Methods ?? ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).Select(m => m.ToUpperInvariant())],
                            null, false);
                    case TimerTriggerAttribute timer:
                        return new(name, method, TriggerKind.Timer, parameter, null, [], timer.Schedule, timer.RunOnStartup);
                    case OrchestrationTriggerAttribute:
                        return new(name, method, TriggerKind.Orchestration, parameter, null, [], null, false);
                    case ActivityTriggerAttribute:
                        return new(name, method, TriggerKind.Activity, parameter, null, [], null, false);
                }
            }
        }

        throw new InvalidOperationException($"Function '{name}' ({method.DeclaringType?.Name}.{method.Name}) has no trigger parameter the app supports.");
    }
}
