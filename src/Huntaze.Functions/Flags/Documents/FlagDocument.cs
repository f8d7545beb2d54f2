using System.Text.Json;
using System.Text.Json.Nodes;

namespace Huntaze.Functions.Flags.Documents;

/// <summary>The outcome of reading a flag document: the flag, or every problem found, each naming where it is.</summary>
public sealed record FlagParseResult(FeatureFlag? Flag, IReadOnlyList<string> Errors)
{
    public bool IsValid => Flag is not null && Errors.Count == 0;
}

/// <summary>
/// Reads and writes the Microsoft v2 flag document
/// (<c>{"id","enabled","description","display_name","conditions":{"requirement_type","client_filters":[…]},"variants","allocation","telemetry"}</c>).
/// Reading accepts what the schema (and the Azure portal) allows and keeps what we do not evaluate; a document
/// is refused only when its meaning cannot be known (docs/decisions/0008-flag-document-fidelity.md).
/// </summary>
public static class FlagDocument
{
    public const string ContentType = "application/vnd.microsoft.appconfig.ff+json;charset=utf-8";

    /// <summary>Nesting allowed in a document: variants may carry JSON configuration values.</summary>
    public const int MaxDepth = 32;

    public static FlagParseResult Parse(string json, string? expectedName = null)
    {
        JsonNode? root;
        try
        {
            // Duplicate members are refused: which one counts is a guess (Microsoft's provider takes the last),
            // and a kill switch must never be guessed off. Left to JsonObject they would throw later instead.
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException exception)
        {
            return new FlagParseResult(null, [$"The flag document is not valid JSON: {exception.Message.Split(" Path:", 2)[0]}"]);
        }

        return root is JsonObject obj
            ? new FlagDocumentReader(expectedName).Read(obj, json)
            : new FlagParseResult(null, ["The flag document must be a JSON object."]);
    }

    /// <summary>The document's <c>id</c> when it is JSON with a string id, whatever else is wrong with it.</summary>
    public static string? PeekId(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                   document.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Flag names become App Configuration keys and targeting hash inputs: letters, digits, '.', '-', '_' only.</summary>
    public static string? ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            return "The flag name must have 1 to 100 characters.";
        }

        if (name.Contains(':', StringComparison.Ordinal))
        {
            return $"The flag name '{name}' contains ':', which is not allowed.";
        }

        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            ? null
            : $"The flag name '{name}' may contain letters, digits, '.', '-' and '_' only.";
    }

    /// <summary>
    /// The document of <paramref name="flag"/>: its source document with <c>id</c>, <c>enabled</c>,
    /// <c>description</c> and the conditions replaced by the flag's, every other member kept as it was.
    /// </summary>
    public static string Serialize(FeatureFlag flag)
    {
        var root = Object(flag.Source) ?? new JsonObject();
        root["id"] = flag.Id;
        root["enabled"] = flag.Enabled;
        if (flag.Description is not null)
        {
            root["description"] = flag.Description;
        }
        else if (root["description"] is JsonValue description && description.GetValueKind() == JsonValueKind.String)
        {
            root.Remove("description");
        }

        var conditions = root["conditions"] as JsonObject ?? new JsonObject();
        conditions.Remove("requirement_type");
        conditions.Remove("client_filters");
        conditions["requirement_type"] = flag.Requirement.ToString();
        conditions["client_filters"] = new JsonArray(flag.Conditions.Select(Filter).ToArray());
        root.Remove("conditions");
        root["conditions"] = conditions;
        return root.ToJsonString();
    }

    private static JsonNode Filter(FlagCondition condition)
    {
        var filter = Object(condition.Source) ?? new JsonObject { ["name"] = condition.Name };
        if (condition is not TargetingCondition { Audience: var a })
        {
            return filter;
        }

        var parameters = filter["parameters"] as JsonObject ?? new JsonObject();
        var audience = Take(parameters, "Audience") as JsonObject ?? new JsonObject();
        var exclusion = Take(audience, "Exclusion") as JsonObject ?? new JsonObject();
        Set(audience, "Users", Strings(a.Users));
        Set(audience, "Groups", new JsonArray(a.Groups.Select(g => (JsonNode)new JsonObject { ["Name"] = g.Name, ["RolloutPercentage"] = g.RolloutPercentage }).ToArray()));
        Set(audience, "DefaultRolloutPercentage", a.DefaultRolloutPercentage);
        Set(exclusion, "Users", Strings(a.ExcludedUsers));
        Set(exclusion, "Groups", Strings(a.ExcludedGroups));
        audience["Exclusion"] = exclusion;
        parameters["Audience"] = audience;
        filter.Remove("parameters");
        filter["parameters"] = parameters;
        return filter;
    }

    /// <summary>Filter parameters are bound case-insensitively by Microsoft's libraries: replace any spelling.</summary>
    private static void Set(JsonObject target, string name, JsonNode value)
    {
        Take(target, name);
        target[name] = value;
    }

    private static JsonNode? Take(JsonObject target, string name)
    {
        JsonNode? taken = null;
        foreach (var key in target.Select(p => p.Key).Where(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            taken = target[key];
            target.Remove(key);
        }

        return taken;
    }

    private static JsonObject? Object(string? json) =>
        json is null ? null : JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth }) as JsonObject;

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
