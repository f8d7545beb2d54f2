using System.Globalization;
using Huntaze.Functions.Platform.Hosting;

namespace Huntaze.LocalHost;

/// <summary>Prints the functions and their routes at start, as Core Tools does.</summary>
internal static class FunctionTable
{
    public static void Print(FunctionCatalog catalog, ICollection<string> urls, string routePrefix)
    {
        var baseUrl = urls.FirstOrDefault() ?? LocalHostApp.DefaultUrl;
        Console.WriteLine();
        Console.WriteLine("Functions:");
        foreach (var function in catalog.Functions)
        {
            var what = function.Trigger switch
            {
                TriggerKind.Http => $"[{string.Join(",", function.HttpMethods)}] {baseUrl}/{(routePrefix.Length == 0 ? "" : routePrefix + "/")}{function.Route}",
                TriggerKind.Timer => $"timer '{function.Schedule}'{(function.RunOnStartup ? " (runs on startup)" : "")}",
                _ => function.Trigger.ToString().ToLower(CultureInfo.InvariantCulture) + "Trigger",
            };
            Console.WriteLine($"  {function.Name}: {what}");
        }

        Console.WriteLine();
        Console.WriteLine($"Local host listening on {string.Join(", ", urls)} (Ctrl+C to stop)");
    }
}
