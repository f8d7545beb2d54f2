using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Evaluation;

namespace Huntaze.Functions.Flags.Admin;

/// <summary>The simple form for people: each member present replaces that aspect of the targeting filter.</summary>
public sealed record FlagPatchRequest
{
    public bool? Enabled { get; init; }

    /// <summary>0–100: the default percentage, or the percentage within <see cref="Markets"/> when markets are given.</summary>
    public double? RolloutPercentage { get; init; }

    /// <summary>ISO country codes; when given the rollout is restricted to these markets (default percentage 0).</summary>
    public IReadOnlyList<string>? Markets { get; init; }

    public IReadOnlyList<string>? Users { get; init; }
}

public static class FlagPatch
{
    /// <summary>Each invalid member with its messages (empty when the patch is valid).</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(FlagPatchRequest patch)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (patch.RolloutPercentage is < 0 or > 100)
        {
            errors["rolloutPercentage"] = [$"'rolloutPercentage' is {patch.RolloutPercentage}; percentages must be between 0 and 100."];
        }

        var markets = (patch.Markets ?? [])
            .Where(m => m is null || m.Length != 2 || !m.All(char.IsAsciiLetter))
            .Select(m => $"'markets' holds '{m}'; markets are ISO 3166-1 alpha-2 codes.")
            .ToArray();
        if (markets.Length > 0)
        {
            errors["markets"] = markets;
        }

        if ((patch.Users ?? []).Any(string.IsNullOrWhiteSpace))
        {
            errors["users"] = ["'users' holds an empty user id."];
        }

        return errors;
    }

    public static FeatureFlag Apply(FeatureFlag flag, FlagPatchRequest patch)
    {
        var audience = flag.Targeting ?? Audience.Nobody;
        var groups = audience.Groups.ToList();
        var defaultPercentage = audience.DefaultRolloutPercentage;
        if (patch.Markets is { } markets)
        {
            groups.RemoveAll(g => g.Name.StartsWith("market:", StringComparison.Ordinal));
            groups.AddRange(markets.Distinct(StringComparer.OrdinalIgnoreCase).Select(m => new GroupRollout(CallerTargeting.MarketGroup(m), patch.RolloutPercentage ?? 100)));
            defaultPercentage = markets.Count > 0 ? 0 : patch.RolloutPercentage ?? defaultPercentage;
        }
        else if (patch.RolloutPercentage is { } percentage)
        {
            defaultPercentage = percentage;
        }

        var targeted = audience with
        {
            Users = patch.Users?.Distinct(StringComparer.Ordinal).ToList() ?? audience.Users,
            Groups = groups,
            DefaultRolloutPercentage = defaultPercentage,
        };
        var touchesTargeting = patch.Markets is not null || patch.RolloutPercentage is not null || patch.Users is not null;
        var enabled = flag with { Enabled = patch.Enabled ?? flag.Enabled };
        return touchesTargeting ? enabled.WithTargeting(targeted) : enabled;
    }
}
