using System.Text.Json;

namespace Huntaze.LocalHost.Functions;

/// <summary>What the local host reads of host.json: the HTTP route prefix.</summary>
internal static class HostJson
{
    public static string ReadRoutePrefix(string directory)
    {
        var path = Path.Combine(directory, "host.json");
        if (!File.Exists(path))
        {
            return "api";
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.TryGetProperty("extensions", out var extensions) &&
               extensions.TryGetProperty("http", out var http) &&
               http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString() ?? ""
            : "api";
    }
}
