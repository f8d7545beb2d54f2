namespace Huntaze.Functions.Flags.Documents;

/// <summary>
/// A flag in the Microsoft v2 feature-flag schema, restricted to what we evaluate: on/off plus at most one
/// <c>Microsoft.Targeting</c> filter. With no filter an enabled flag is on for everyone.
/// </summary>
public sealed record FeatureFlag(string Id, bool Enabled, string? Description = null, Audience? Targeting = null)
{
    public const string TargetingFilterName = "Microsoft.Targeting";
}

/// <summary>The targeting audience: exclusions first, then users, then groups, then everyone else at the default percentage.</summary>
public sealed record Audience(
    IReadOnlyList<string> Users,
    IReadOnlyList<GroupRollout> Groups,
    double DefaultRolloutPercentage,
    IReadOnlyList<string> ExcludedUsers,
    IReadOnlyList<string> ExcludedGroups)
{
    public static Audience Nobody { get; } = new([], [], 0, [], []);
}

public sealed record GroupRollout(string Name, double RolloutPercentage);
