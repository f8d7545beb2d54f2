using System.Text.Json;

namespace Huntaze.Cli.Tokens;

/// <summary>
/// The <c>Values</c> of a <c>local.settings.json</c>: the explicit path, or the first one found walking up
/// from the current directory (the repository root holds the one the local host reads).
/// </summary>
public static class LocalSettings
{
    public const string FileName = "local.settings.json";

    public static string? Find(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static IReadOnlyDictionary<string, string> ReadValues(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var section) && section.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in section.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                values[property.Name] = property.Value.GetString()!;
            }
        }

        return values;
    }
}
