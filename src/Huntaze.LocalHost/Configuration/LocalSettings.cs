using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Huntaze.LocalHost.Configuration;

/// <summary>
/// Reads <c>local.settings.json</c> the way Core Tools does: its <c>Values</c> become configuration, with
/// <c>__</c> meaning a section separator. On first run the committed sample is copied into place.
/// </summary>
internal static class LocalSettings
{
    public const string FileName = "local.settings.json";
    public const string SampleFileName = "local.settings.sample.json";

    public static IReadOnlyDictionary<string, string?> Load(string? repositoryRoot)
    {
        if (repositoryRoot is null)
        {
            return new Dictionary<string, string?>();
        }

        var path = Path.Combine(repositoryRoot, FileName);
        var sample = Path.Combine(repositoryRoot, SampleFileName);
        if (!File.Exists(path) && File.Exists(sample))
        {
            File.WriteAllText(path, WithDevelopmentKey(File.ReadAllText(sample)));
        }

        return File.Exists(path) ? Parse(File.ReadAllText(path)) : new Dictionary<string, string?>();
    }

    /// <summary>
    /// Fills an empty <c>Auth__DevelopmentSigningKey</c> with a fresh random 256-bit key, so that no
    /// signing key is ever committed and each developer's tokens are their own.
    /// </summary>
    public static string WithDevelopmentKey(string sampleJson)
    {
        var document = JsonNode.Parse(sampleJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        if (document["Values"] is JsonObject values && string.IsNullOrEmpty((string?)values["Auth__DevelopmentSigningKey"]))
        {
            values["Auth__DevelopmentSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        }

        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// The Durable provider's local tuning from the committed sample (<c>AzureFunctionsJobHost__extensions__durableTask__storageProvider__*</c>,
    /// <c>__</c>-separated): what tests and benchmarks run, so they measure the configuration developers get.
    /// </summary>
    public static Dictionary<string, string?> SampleDurableTuning()
    {
        const string Prefix = "AzureFunctionsJobHost:extensions:durableTask:storageProvider:";
        var root = RepositoryPaths.FindRoot() ?? throw new InvalidOperationException("Cannot find the repository root (Huntaze.Functions.sln).");
        return Parse(File.ReadAllText(Path.Combine(root, SampleFileName)))
            .Where(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
    }

    public static Dictionary<string, string?> Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var section) && section.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in section.EnumerateObject())
            {
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] =
                    property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            }
        }

        return values;
    }
}
