using Microsoft.Extensions.Configuration;

namespace Huntaze.Functions.Platform.Hosting;

/// <summary>
/// The app's host.json (copied beside the app's assemblies) as configuration, for the few values the app
/// and the local host read from it: the route prefix and the Durable task hub.
/// </summary>
public static class HostJson
{
    public const string FileName = "host.json";

    /// <summary>host.json in the folder, or empty configuration when there is none.</summary>
    public static IConfiguration Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var builder = new ConfigurationBuilder();
        if (File.Exists(path))
        {
            builder.AddJsonFile(path, optional: true, reloadOnChange: false);
        }

        return builder.Build();
    }

    /// <summary>The HTTP route prefix (<c>extensions.http.routePrefix</c>, "api" when absent).</summary>
    public static string RoutePrefix(IConfiguration hostJson) => hostJson["extensions:http:routePrefix"] ?? "api";
}
