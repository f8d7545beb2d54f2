using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using MicrosoftTimeWindow = Microsoft.FeatureManagement.FeatureFilters.TimeWindowFilter;

namespace Huntaze.Functions.Flags.Documents;

/// <summary>
/// One read of a v2 document. Errors make the document unreadable (its meaning cannot be known); notes in
/// <see cref="FeatureFlag.Ignored"/> say what is kept but not evaluated, or was read leniently the way
/// Microsoft's libraries read it.
/// </summary>
internal sealed class FlagDocumentReader(string? expectedName)
{
    private static readonly string[] TargetingNames = ["Microsoft.Targeting", "Targeting", "Microsoft.TargetingFilter", "TargetingFilter"];
    private static readonly string[] TimeWindowNames = ["Microsoft.TimeWindow", "TimeWindow", "Microsoft.TimeWindowFilter", "TimeWindowFilter"];

    private readonly List<string> _errors = [];
    private readonly List<string> _notes = [];

    public FlagParseResult Read(JsonObject root, string source)
    {
        var id = RequiredString(root["id"], "id");
        if (id is not null && FlagDocument.ValidateName(id) is { } nameError)
        {
            _errors.Add(nameError);
        }

        if (id is not null && expectedName is not null && !string.Equals(id, expectedName, StringComparison.Ordinal))
        {
            _errors.Add($"'id' is '{id}' but the flag addressed is '{expectedName}'.");
        }

        var enabled = Enabled(root["enabled"], root.ContainsKey("enabled"));
        string? description = null;
        if (root["description"] is JsonValue d && d.GetValueKind() == JsonValueKind.String)
        {
            description = d.GetValue<string>();
        }
        else if (root["description"] is not null)
        {
            _notes.Add("'description' is not a string: kept, not used.");
        }

        foreach (var member in root.Select(p => p.Key))
        {
            NoteRootMember(member);
        }

        var (requirement, conditions) = ReadConditions(root["conditions"]);
        if (_errors.Count > 0)
        {
            return new FlagParseResult(null, _errors);
        }

        var flag = new FeatureFlag(id!, enabled, description)
        {
            Requirement = requirement,
            Conditions = conditions,
            Source = source,
            Ignored = _notes,
        };
        return new FlagParseResult(flag, []);
    }

    private bool Enabled(JsonNode? node, bool present)
    {
        if (!present)
        {
            _notes.Add("'enabled' is absent: off, the schema's default.");
            return false;
        }

        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }

        if (node is JsonValue text && text.GetValueKind() == JsonValueKind.String && bool.TryParse(text.GetValue<string>().Trim(), out var parsed))
        {
            _notes.Add($"'enabled' is the string \"{text.GetValue<string>()}\": read as {(parsed ? "true" : "false")}, as Microsoft's libraries read it.");
            return parsed;
        }

        _errors.Add("'enabled' must be true or false.");
        return false;
    }

    private void NoteRootMember(string member)
    {
        switch (member)
        {
            case "id" or "enabled" or "description" or "conditions":
                break;
            case "display_name":
                _notes.Add("'display_name' is kept; not used here.");
                break;
            case "telemetry":
                _notes.Add("'telemetry' is kept; flag evaluation telemetry is not emitted here.");
                break;
            case "variants" or "allocation":
                _notes.Add($"'{member}' is kept; variants are not evaluated here (a variant's status_override does not turn the flag on or off).");
                break;
            default:
                _notes.Add($"'{member}' is not part of the v2 schema: kept, not used.");
                break;
        }
    }

    private (FlagRequirement, IReadOnlyList<FlagCondition>) ReadConditions(JsonNode? node)
    {
        if (node is null)
        {
            return (FlagRequirement.Any, []);
        }

        if (node is not JsonObject conditions)
        {
            _errors.Add("'conditions' must be an object.");
            return (FlagRequirement.Any, []);
        }

        foreach (var member in conditions.Select(p => p.Key).Where(k => k is not ("requirement_type" or "client_filters")))
        {
            _notes.Add($"'conditions.{member}' is not part of the v2 schema: kept, not used.");
        }

        var requirement = FlagRequirement.Any;
        if (conditions["requirement_type"] is { } r)
        {
            var text = r is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
            if (!Enum.TryParse(text, ignoreCase: true, out requirement) || !Enum.IsDefined(requirement))
            {
                _errors.Add("'conditions.requirement_type' must be 'Any' or 'All'.");
            }
        }

        if (conditions["client_filters"] is null)
        {
            return (requirement, []);
        }

        if (conditions["client_filters"] is not JsonArray filters)
        {
            _errors.Add("'conditions.client_filters' must be an array.");
            return (requirement, []);
        }

        var read = new List<FlagCondition>();
        for (var i = 0; i < filters.Count; i++)
        {
            if (ReadFilter(filters[i], $"conditions.client_filters[{i}]") is { } condition)
            {
                read.Add(condition);
            }
        }

        return (requirement, read);
    }

    private FlagCondition? ReadFilter(JsonNode? node, string path)
    {
        var name = node is JsonObject f && f["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        if (node is not JsonObject filter || string.IsNullOrWhiteSpace(name))
        {
            _errors.Add($"'{path}' must be an object with a 'name'.");
            return null;
        }

        var parameters = filter["parameters"];
        if (parameters is not null and not JsonObject)
        {
            _errors.Add($"'{path}.parameters' must be an object.");
            return null;
        }

        var source = filter.ToJsonString();
        var parameterObject = parameters as JsonObject ?? [];
        if (TargetingNames.Contains(name, StringComparer.Ordinal))
        {
            return ReadAudience(Member(parameterObject, "Audience"), path + ".parameters.Audience") is { } audience
                ? new TargetingCondition(audience, name, source)
                : null;
        }

        if (TimeWindowNames.Contains(name, StringComparer.Ordinal))
        {
            return ReadTimeWindow(parameterObject, name, source, path);
        }

        _notes.Add($"Filter '{name}' at '{path}' is not supported here: kept, and evaluated as not matching.");
        return new UnsupportedCondition(name, source);
    }

    /// <summary>Validated by binding with Microsoft's own time-window filter, which evaluates it later.</summary>
    private TimeWindowCondition? ReadTimeWindow(JsonObject parameters, string name, string source, string path)
    {
        var flat = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Flatten(parameters, null, flat);
        try
        {
            new MicrosoftTimeWindow(NullLoggerFactory.Instance).BindParameters(new ConfigurationBuilder().AddInMemoryCollection(flat).Build());
            return new TimeWindowCondition(flat, name, source);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
        {
            var which = exception is ArgumentException { ParamName: { Length: > 0 } parameter } ? $" ({parameter})" : string.Empty;
            _errors.Add($"'{path}.parameters' is not a valid {FeatureFlag.TimeWindowFilterName} filter{which}: Start and End must be dates such as 'Wed, 01 May 2019 13:59:59 GMT', and a Recurrence must follow the schema.");
            return null;
        }
    }

    private Audience? ReadAudience(JsonNode? node, string path)
    {
        if (node is not JsonObject audience)
        {
            _errors.Add($"'{path}' is required and must be an object.");
            return null;
        }

        var groups = new List<GroupRollout>();
        switch (Member(audience, "Groups"))
        {
            case JsonArray groupArray:
                for (var i = 0; i < groupArray.Count; i++)
                {
                    var groupPath = $"{path}.Groups[{i}]";
                    if (groupArray[i] is not JsonObject group)
                    {
                        _errors.Add($"'{groupPath}' must be an object with 'Name' and 'RolloutPercentage'.");
                        continue;
                    }

                    var name = RequiredString(Member(group, "Name"), groupPath + ".Name");
                    var percentage = Percentage(Member(group, "RolloutPercentage"), groupPath + ".RolloutPercentage");
                    if (name is not null && percentage is not null)
                    {
                        groups.Add(new GroupRollout(name, percentage.Value));
                    }
                }

                break;
            case null:
                break;
            default:
                _errors.Add($"'{path}.Groups' must be an array.");
                break;
        }

        var exclusion = Member(audience, "Exclusion");
        if (exclusion is not null and not JsonObject)
        {
            _errors.Add($"'{path}.Exclusion' must be an object.");
        }

        var defaultPercentage = Member(audience, "DefaultRolloutPercentage");
        return new Audience(
            StringList(Member(audience, "Users"), path + ".Users"),
            groups,
            defaultPercentage is null ? 0 : Percentage(defaultPercentage, path + ".DefaultRolloutPercentage") ?? 0,
            StringList(exclusion is JsonObject e ? Member(e, "Users") : null, path + ".Exclusion.Users"),
            StringList(exclusion is JsonObject g ? Member(g, "Groups") : null, path + ".Exclusion.Groups"));
    }

    private double? Percentage(JsonNode? node, string path)
    {
        double? number = null;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            number = value.GetValue<double>();
        }
        else if (node is JsonValue text && text.GetValueKind() == JsonValueKind.String &&
                 double.TryParse(text.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            // Microsoft's libraries bind parameters through configuration, where every value is a string.
            _notes.Add($"'{path}' is the string \"{text.GetValue<string>()}\": read as a number, as Microsoft's libraries read it.");
            number = parsed;
        }

        if (number is >= 0 and <= 100)
        {
            return number;
        }

        _errors.Add(number is { } outOfRange
            ? $"'{path}' is {outOfRange.ToString(CultureInfo.InvariantCulture)}; percentages must be between 0 and 100."
            : $"'{path}' must be a number between 0 and 100.");
        return null;
    }

    private List<string> StringList(JsonNode? node, string path)
    {
        if (node is null)
        {
            return [];
        }

        if (node is JsonArray array && array.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String))
        {
            return array.Select(n => n!.GetValue<string>()).ToList();
        }

        _errors.Add($"'{path}' must be an array of strings.");
        return [];
    }

    private string? RequiredString(JsonNode? node, string path)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        _errors.Add($"'{path}' is required and must be a string.");
        return null;
    }

    /// <summary>Filter parameters are configuration to Microsoft's libraries, so their names are case-insensitive.</summary>
    private static JsonNode? Member(JsonObject obj, string name) =>
        obj.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>JSON as configuration keys (<c>Recurrence:Pattern:DaysOfWeek:0</c>), the way the JSON configuration provider flattens it.</summary>
    private static void Flatten(JsonNode? node, string? prefix, Dictionary<string, string?> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    Flatten(child, prefix is null ? key : $"{prefix}:{key}", into);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array[i], $"{prefix}:{i.ToString(CultureInfo.InvariantCulture)}", into);
                }

                break;
            case JsonValue value when prefix is not null:
                into[prefix] = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                break;
            case null when prefix is not null:
                into[prefix] = null;
                break;
        }
    }
}
