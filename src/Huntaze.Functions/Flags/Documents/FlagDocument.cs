using System.Text;
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
/// (<c>{"id","enabled","description","conditions":{"requirement_type","client_filters":[…]}}</c>).
/// Only <c>Microsoft.Targeting</c> is known; anything we would not evaluate faithfully is refused.
/// </summary>
public static class FlagDocument
{
    public const string ContentType = "application/vnd.microsoft.appconfig.ff+json;charset=utf-8";

    private static readonly HashSet<string> RootMembers = ["id", "enabled", "description", "display_name", "conditions"];
    private static readonly HashSet<string> KnownFilters = [FeatureFlag.TargetingFilterName, "Targeting"];

    public static FlagParseResult Parse(string json, string? expectedName = null)
    {
        JsonNode? root;
        try
        {
            // Duplicate members are refused at parse time; left to JsonObject they throw ArgumentException
            // later, which would turn a bad PUT into a 500 and a hand-edited flag into a failed sync.
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException exception)
        {
            return Fail($"The flag document is not valid JSON: {exception.Message.Split(" Path:", 2)[0]}");
        }

        return root is JsonObject obj ? new Reader(expectedName).Read(obj) : Fail("The flag document must be a JSON object.");
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

    public static string Serialize(FeatureFlag flag)
    {
        var root = new JsonObject { ["id"] = flag.Id, ["enabled"] = flag.Enabled };
        if (flag.Description is not null)
        {
            root["description"] = flag.Description;
        }

        var filters = new JsonArray();
        if (flag.Targeting is { } a)
        {
            filters.Add(new JsonObject
            {
                ["name"] = FeatureFlag.TargetingFilterName,
                ["parameters"] = new JsonObject
                {
                    ["Audience"] = new JsonObject
                    {
                        ["Users"] = Strings(a.Users),
                        ["Groups"] = new JsonArray(a.Groups.Select(g => (JsonNode)new JsonObject { ["Name"] = g.Name, ["RolloutPercentage"] = g.RolloutPercentage }).ToArray()),
                        ["DefaultRolloutPercentage"] = a.DefaultRolloutPercentage,
                        ["Exclusion"] = new JsonObject { ["Users"] = Strings(a.ExcludedUsers), ["Groups"] = Strings(a.ExcludedGroups) },
                    },
                },
            });
        }

        root["conditions"] = new JsonObject { ["requirement_type"] = "Any", ["client_filters"] = filters };
        return root.ToJsonString();
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static FlagParseResult Fail(string error) => new(null, [error]);

    private sealed class Reader(string? expectedName)
    {
        private readonly List<string> _errors = [];

        public FlagParseResult Read(JsonObject root)
        {
            foreach (var member in root.Select(p => p.Key).Where(k => !RootMembers.Contains(k)))
            {
                _errors.Add($"Unknown member '{member}' (supported: {string.Join(", ", RootMembers)}).");
            }

            var id = String(root["id"], "id");
            if (id is not null && ValidateName(id) is { } nameError)
            {
                _errors.Add(nameError);
            }

            if (id is not null && expectedName is not null && !string.Equals(id, expectedName, StringComparison.Ordinal))
            {
                _errors.Add($"'id' is '{id}' but the flag addressed is '{expectedName}'.");
            }

            var enabled = root["enabled"] is JsonValue e && e.TryGetValue<bool>(out var b) ? b : (bool?)null;
            if (enabled is null)
            {
                _errors.Add("'enabled' is required and must be true or false.");
            }

            var description = root["description"] is null ? null : String(root["description"], "description");
            var audience = ReadConditions(root["conditions"]);
            return _errors.Count == 0
                ? new FlagParseResult(new FeatureFlag(id!, enabled!.Value, description, audience), [])
                : new FlagParseResult(null, _errors);
        }

        private Audience? ReadConditions(JsonNode? node)
        {
            if (node is null)
            {
                return null;
            }

            if (node is not JsonObject conditions)
            {
                _errors.Add("'conditions' must be an object.");
                return null;
            }

            if (conditions["requirement_type"] is { } requirement && String(requirement, "conditions.requirement_type") is { } r && r is not ("Any" or "All"))
            {
                _errors.Add("'conditions.requirement_type' must be 'Any' or 'All'.");
            }

            if (conditions["client_filters"] is null)
            {
                return null;
            }

            if (conditions["client_filters"] is not JsonArray filters)
            {
                _errors.Add("'conditions.client_filters' must be an array.");
                return null;
            }

            if (filters.Count > 1)
            {
                _errors.Add("At most one client filter (Microsoft.Targeting) is supported.");
            }

            Audience? audience = null;
            for (var i = 0; i < filters.Count; i++)
            {
                var path = $"conditions.client_filters[{i}]";
                var name = filters[i] is JsonObject f ? String(f["name"], path + ".name") : null;
                if (filters[i] is not JsonObject filter || name is null)
                {
                    _errors.Add($"'{path}' must be an object with a 'name'.");
                    continue;
                }

                if (!KnownFilters.Contains(name))
                {
                    _errors.Add($"Unknown filter '{name}' at '{path}' (supported: {FeatureFlag.TargetingFilterName}).");
                    continue;
                }

                audience = ReadAudience(filter["parameters"]?["Audience"], path + ".parameters.Audience");
            }

            return audience;
        }

        private Audience? ReadAudience(JsonNode? node, string path)
        {
            if (node is not JsonObject audience)
            {
                _errors.Add($"'{path}' is required and must be an object.");
                return null;
            }

            var groups = new List<GroupRollout>();
            if (audience["Groups"] is JsonArray groupArray)
            {
                for (var i = 0; i < groupArray.Count; i++)
                {
                    var groupPath = $"{path}.Groups[{i}]";
                    var name = groupArray[i] is JsonObject g ? String(g["Name"], groupPath + ".Name") : null;
                    var percentage = groupArray[i] is JsonObject g2 ? Percentage(g2["RolloutPercentage"], groupPath + ".RolloutPercentage") : null;
                    if (name is not null && percentage is not null)
                    {
                        groups.Add(new GroupRollout(name, percentage.Value));
                    }
                }
            }
            else if (audience["Groups"] is not null)
            {
                _errors.Add($"'{path}.Groups' must be an array.");
            }

            var exclusion = audience["Exclusion"] as JsonObject;
            if (audience["Exclusion"] is not null && exclusion is null)
            {
                _errors.Add($"'{path}.Exclusion' must be an object.");
            }

            return new Audience(
                StringList(audience["Users"], path + ".Users"),
                groups,
                audience["DefaultRolloutPercentage"] is null ? 0 : Percentage(audience["DefaultRolloutPercentage"], path + ".DefaultRolloutPercentage") ?? 0,
                StringList(exclusion?["Users"], path + ".Exclusion.Users"),
                StringList(exclusion?["Groups"], path + ".Exclusion.Groups"));
        }

        private double? Percentage(JsonNode? node, string path)
        {
            if (node is JsonValue value && value.TryGetValue<double>(out var number))
            {
                if (number is >= 0 and <= 100)
                {
                    return number;
                }

                _errors.Add($"'{path}' is {number}; percentages must be between 0 and 100.");
                return null;
            }

            _errors.Add($"'{path}' must be a number between 0 and 100.");
            return null;
        }

        private List<string> StringList(JsonNode? node, string path)
        {
            if (node is null)
            {
                return [];
            }

            if (node is JsonArray array && array.All(n => n is JsonValue v && v.TryGetValue<string>(out _)))
            {
                return array.Select(n => n!.GetValue<string>()).ToList();
            }

            _errors.Add($"'{path}' must be an array of strings.");
            return [];
        }

        private string? String(JsonNode? node, string path)
        {
            if (node is JsonValue value && value.TryGetValue<string>(out var text))
            {
                return text;
            }

            _errors.Add($"'{path}' is required and must be a string.");
            return null;
        }
    }
}
