namespace Huntaze.Functions.Onboarding.Catalog;

/// <summary>What happens to users' progress on a step when its version is bumped.</summary>
public enum MigrationPolicy
{
    /// <summary>The user's status stands; only the version reached is raised.</summary>
    Keep,

    /// <summary>The step starts again: status not_started, data cleared.</summary>
    Reset,

    /// <summary>Completed or skipped steps are marked needs_review for the user to confirm.</summary>
    Review,
}

/// <summary>Markets (ISO 3166-1 alpha-2) a step is offered in: include empty means everywhere.</summary>
public sealed record MarketRule(IReadOnlyList<string> Include, IReadOnlyList<string> Exclude)
{
    public static readonly MarketRule Everywhere = new([], []);

    public bool Allows(string? market)
    {
        if (market is not null && Exclude.Contains(market, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        return Include.Count == 0 || (market is not null && Include.Contains(market, StringComparer.OrdinalIgnoreCase));
    }
}

/// <summary>One step of the guide, as versioned in <c>steps.json</c>.</summary>
public sealed record StepDefinition(
    string Id,
    int Version,
    string Title,
    string Description,
    int Order,
    int Weight,
    bool Required,
    IReadOnlyList<string> Prerequisites,
    MarketRule Markets,
    IReadOnlyList<string> Roles,
    int EstimatedMinutes,
    string? FeatureFlag,
    MigrationPolicy MigrationPolicy);

/// <summary>A product action that needs steps done first; required steps not offered to a user are ignored.</summary>
public sealed record GateDefinition(string Id, string Title, IReadOnlyList<string> Requires, string? Url);
