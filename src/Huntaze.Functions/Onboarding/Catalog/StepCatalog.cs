using System.Collections.Frozen;

namespace Huntaze.Functions.Onboarding.Catalog;

/// <summary>The validated step catalog: steps in display order, gates by id.</summary>
public sealed class StepCatalog
{
    private readonly FrozenDictionary<string, StepDefinition> _steps;
    private readonly FrozenDictionary<string, GateDefinition> _gates;

    public StepCatalog(int catalogVersion, IEnumerable<StepDefinition> steps, IEnumerable<GateDefinition> gates)
    {
        CatalogVersion = catalogVersion;
        Steps = [.. steps.OrderBy(s => s.Order).ThenBy(s => s.Id, StringComparer.Ordinal)];
        Gates = [.. gates];
        _steps = Steps.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
        _gates = Gates.ToFrozenDictionary(g => g.Id, StringComparer.Ordinal);
        FeatureFlags = [.. Steps.Select(s => s.FeatureFlag).OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    public int CatalogVersion { get; }

    public IReadOnlyList<StepDefinition> Steps { get; }

    public IReadOnlyList<GateDefinition> Gates { get; }

    /// <summary>Every flag some step is gated by, evaluated once per request.</summary>
    public IReadOnlyList<string> FeatureFlags { get; }

    public StepDefinition? FindStep(string id) => _steps.GetValueOrDefault(id);

    public GateDefinition? FindGate(string id) => _gates.GetValueOrDefault(id);

    /// <summary>The steps offered to a caller's market, roles and flags, in order.</summary>
    public IReadOnlyList<StepDefinition> Offered(StepAudience audience) =>
        [.. Steps.Where(audience.IsOffered)];
}

/// <summary>Who the guide is computed for.</summary>
public sealed record StepAudience(string? Market, IReadOnlySet<string> Roles, IReadOnlySet<string> EnabledFlags)
{
    public bool IsOffered(StepDefinition step) =>
        step.Markets.Allows(Market) &&
        (step.Roles.Count == 0 || step.Roles.Any(Roles.Contains)) &&
        (step.FeatureFlag is null || EnabledFlags.Contains(step.FeatureFlag));
}
