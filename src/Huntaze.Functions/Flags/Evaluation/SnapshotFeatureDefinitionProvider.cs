using System.Globalization;
using System.Runtime.CompilerServices;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Microsoft.Extensions.Configuration;
using Microsoft.FeatureManagement;

namespace Huntaze.Functions.Flags.Evaluation;

/// <summary>
/// Feature definitions for Microsoft.FeatureManagement from the in-memory snapshot. Definitions (and their
/// filter parameter configurations) are built once per snapshot, so the library's parameter cache stays warm
/// and evaluation allocates little.
/// </summary>
public sealed class SnapshotFeatureDefinitionProvider(FlagState state) : IFeatureDefinitionProvider
{
    private readonly ConditionalWeakTable<FlagSnapshot, IReadOnlyDictionary<string, FeatureDefinition>> _definitions = [];

    public Task<FeatureDefinition> GetFeatureDefinitionAsync(string featureName) =>
        Task.FromResult(Definitions().TryGetValue(featureName, out var definition) ? definition : null!);

    public async IAsyncEnumerable<FeatureDefinition> GetAllFeatureDefinitionsAsync()
    {
        foreach (var definition in Definitions().Values)
        {
            yield return definition;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private IReadOnlyDictionary<string, FeatureDefinition> Definitions() =>
        state.Snapshot is { } snapshot ? _definitions.GetValue(snapshot, Build) : new Dictionary<string, FeatureDefinition>();

    private static Dictionary<string, FeatureDefinition> Build(FlagSnapshot snapshot) =>
        snapshot.Flags.Values.ToDictionary(f => f.Flag.Id, f => ToDefinition(f.Flag), StringComparer.Ordinal);

    public static FeatureDefinition ToDefinition(FeatureFlag flag)
    {
        var filters = !flag.Enabled ? []
            : flag.Conditions.Count == 0 ? [new FeatureFilterConfiguration { Name = "AlwaysOn" }]
            : flag.Conditions.Select(Filter).ToArray();
        return new FeatureDefinition
        {
            Name = flag.Id,
            EnabledFor = filters,
            RequirementType = flag.Requirement == FlagRequirement.All ? RequirementType.All : RequirementType.Any,
            Status = flag.Enabled ? FeatureStatus.Conditional : FeatureStatus.Disabled,
        };
    }

    private static FeatureFilterConfiguration Filter(FlagCondition condition) => condition switch
    {
        TargetingCondition t => new FeatureFilterConfiguration { Name = PreboundTargetingFilter.Alias, Parameters = Parameters(t.Audience) },
        TimeWindowCondition w => new FeatureFilterConfiguration { Name = ClockedTimeWindowFilter.Alias, Parameters = new ConfigurationBuilder().AddInMemoryCollection(w.Parameters).Build() },
        _ => new FeatureFilterConfiguration { Name = UnsupportedFilter.Alias },
    };

    private static IConfiguration Parameters(Audience audience)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Audience:DefaultRolloutPercentage"] = audience.DefaultRolloutPercentage.ToString(CultureInfo.InvariantCulture),
        };
        Add(values, "Audience:Users", audience.Users);
        Add(values, "Audience:Exclusion:Users", audience.ExcludedUsers);
        Add(values, "Audience:Exclusion:Groups", audience.ExcludedGroups);
        for (var i = 0; i < audience.Groups.Count; i++)
        {
            values[$"Audience:Groups:{i}:Name"] = audience.Groups[i].Name;
            values[$"Audience:Groups:{i}:RolloutPercentage"] = audience.Groups[i].RolloutPercentage.ToString(CultureInfo.InvariantCulture);
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    private static void Add(Dictionary<string, string?> values, string path, IReadOnlyList<string> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            values[$"{path}:{i}"] = items[i];
        }
    }
}
