using System.Text.Json;
using System.Text.RegularExpressions;

namespace Huntaze.Functions.Onboarding.Catalog;

/// <summary>Parses and validates the catalog; every error names the entry (and field) at fault.</summary>
public static partial class StepCatalogLoader
{
    public const string ResourceName = "Huntaze.Functions.Onboarding.Catalog.steps.json";

    private const int MaxTextLength = 400;

    /// <summary>The catalog shipped inside the app assembly.</summary>
    public static StepCatalog LoadEmbedded()
    {
        using var stream = typeof(StepCatalogLoader).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new StepCatalogException($"Embedded resource '{ResourceName}' is missing.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    public static StepCatalog Parse(string json)
    {
        StepCatalogDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<StepCatalogDocument>(json, StepCatalogDocument.JsonOptions);
        }
        catch (JsonException exception)
        {
            throw new StepCatalogException($"steps.json is not valid: {exception.Message}", exception);
        }

        var errors = new List<string>();
        if (document is null)
        {
            throw new StepCatalogException(["steps.json is empty."]);
        }

        if (document.CatalogVersion is not > 0)
        {
            errors.Add("catalogVersion must be a positive integer.");
        }

        var steps = ValidateSteps(document.Steps, errors);
        var gates = ValidateGates(document.Gates, steps, errors);
        if (errors.Count > 0)
        {
            throw new StepCatalogException(errors);
        }

        return new StepCatalog(document.CatalogVersion!.Value, steps.Values, gates);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{1,47}$", RegexOptions.CultureInvariant)]
    public static partial Regex IdPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.\-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex FlagPattern();

    private static Dictionary<string, StepDefinition> ValidateSteps(List<StepDocument?>? documents, List<string> errors)
    {
        var steps = new Dictionary<string, StepDefinition>(StringComparer.Ordinal);
        if (documents is null || documents.Count == 0)
        {
            errors.Add("steps must list at least one step.");
            return steps;
        }

        for (var index = 0; index < documents.Count; index++)
        {
            var d = documents[index];
            var name = d?.Id is { Length: > 0 } id ? $"step '{id}'" : $"steps[{index}]";
            if (d is null)
            {
                errors.Add($"{name}: must be an object.");
                continue;
            }

            var before = errors.Count;
            if (d.Id is null || !IdPattern().IsMatch(d.Id))
            {
                errors.Add($"{name}: id must match ^[a-z][a-z0-9_]{{1,47}}$.");
            }
            else if (steps.ContainsKey(d.Id))
            {
                errors.Add($"{name}: id is declared more than once.");
            }

            Require(errors, name, "version", d.Version is >= 1, "must be an integer >= 1");
            Require(errors, name, "title", d.Title is { Length: > 0 and <= MaxTextLength }, $"is required (1..{MaxTextLength} characters)");
            Require(errors, name, "description", d.Description is { Length: > 0 and <= MaxTextLength }, $"is required (1..{MaxTextLength} characters)");
            Require(errors, name, "order", d.Order is >= 0, "must be an integer >= 0");
            Require(errors, name, "weight", d.Weight is >= 1 and <= 1000, "must be an integer in 1..1000");
            Require(errors, name, "required", d.Required is not null, "is required (true or false)");
            Require(errors, name, "estimatedMinutes", d.EstimatedMinutes is >= 1 and <= 240, "must be an integer in 1..240");
            Require(errors, name, "prerequisites", d.Prerequisites is not null && d.Prerequisites.All(p => p is not null), "must be a list of step ids");
            Require(errors, name, "roles", d.Roles is not null && d.Roles.All(r => Security.Roles.All.Contains(r)), $"must list known roles ({string.Join(", ", Security.Roles.All)})");
            Require(errors, name, "featureFlag", d.FeatureFlag is null || FlagPattern().IsMatch(d.FeatureFlag), "must be a flag name");
            Require(errors, name, "migrationPolicy", TryPolicy(d.MigrationPolicy, out var policy), "must be keep, reset or review");
            var markets = ValidateMarkets(d.Markets, name, errors);
            if (errors.Count == before)
            {
                steps.Add(d.Id!, new StepDefinition(
                    d.Id!, d.Version!.Value, d.Title!, d.Description!, d.Order!.Value, d.Weight!.Value, d.Required!.Value,
                    [.. d.Prerequisites!], markets, [.. d.Roles!], d.EstimatedMinutes!.Value, d.FeatureFlag, policy));
            }
        }

        foreach (var step in steps.Values)
        {
            foreach (var prerequisite in step.Prerequisites.Where(p => !steps.ContainsKey(p)))
            {
                errors.Add($"step '{step.Id}': prerequisite '{prerequisite}' is not a step.");
            }

            if (step.Prerequisites.Contains(step.Id))
            {
                errors.Add($"step '{step.Id}': lists itself as a prerequisite.");
            }
        }

        errors.AddRange(CycleFinder.Find(steps));
        return steps;
    }

    private static MarketRule ValidateMarkets(MarketsDocument? markets, string name, List<string> errors)
    {
        if (markets is null)
        {
            errors.Add($"{name}: markets is required ({{\"include\": [], \"exclude\": []}} for everywhere).");
            return MarketRule.Everywhere;
        }

        var include = markets.Include ?? [];
        var exclude = markets.Exclude ?? [];
        foreach (var code in include.Concat(exclude).Where(c => c is null || !IsoCountries.IsValid(c)))
        {
            errors.Add($"{name}: market '{code}' is not an ISO 3166-1 alpha-2 country code.");
        }

        foreach (var code in include.Intersect(exclude, StringComparer.Ordinal))
        {
            errors.Add($"{name}: market '{code}' is both included and excluded.");
        }

        return new MarketRule([.. include], [.. exclude]);
    }

    private static List<GateDefinition> ValidateGates(List<GateDocument?>? documents, Dictionary<string, StepDefinition> steps, List<string> errors)
    {
        var gates = new List<GateDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < (documents?.Count ?? 0); index++)
        {
            var g = documents![index];
            var name = g?.Id is { Length: > 0 } id ? $"gate '{id}'" : $"gates[{index}]";
            var before = errors.Count;
            if (g is null)
            {
                errors.Add($"{name}: must be an object.");
                continue;
            }

            Require(errors, name, "id", g.Id is not null && IdPattern().IsMatch(g.Id), "must match ^[a-z][a-z0-9_]{1,47}$");
            Require(errors, name, "id", g.Id is null || seen.Add(g.Id), "is declared more than once");
            Require(errors, name, "title", g.Title is { Length: > 0 and <= MaxTextLength }, "is required");
            Require(errors, name, "requires", g.Requires is { Count: > 0 }, "must list at least one step");
            Require(errors, name, "url", g.Url is null || (g.Url.StartsWith('/') && !g.Url.StartsWith("//", StringComparison.Ordinal)), "must be a site-relative path");
            foreach (var missing in (g.Requires ?? []).Where(r => r is null || !steps.ContainsKey(r)))
            {
                errors.Add($"{name}: requires '{missing}', which is not a step.");
            }

            if (errors.Count == before)
            {
                gates.Add(new GateDefinition(g.Id!, g.Title!, [.. g.Requires!], g.Url));
            }
        }

        return gates;
    }

    private static bool TryPolicy(string? value, out MigrationPolicy policy)
    {
        policy = MigrationPolicy.Keep;
        return value is "keep" or "reset" or "review" && Enum.TryParse(value, ignoreCase: true, out policy);
    }

    private static void Require(List<string> errors, string name, string field, bool ok, string message)
    {
        if (!ok)
        {
            errors.Add($"{name}: {field} {message}.");
        }
    }
}
