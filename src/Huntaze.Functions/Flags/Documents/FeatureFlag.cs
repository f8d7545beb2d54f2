namespace Huntaze.Functions.Flags.Documents;

/// <summary>
/// A flag in the Microsoft v2 feature-flag schema as we understand it: on/off, the requirement type and the
/// client filters we can evaluate (<c>Microsoft.Targeting</c>, <c>Microsoft.TimeWindow</c>). Everything else in
/// the document (<c>display_name</c>, <c>telemetry</c>, <c>variants</c>, <c>allocation</c>, filters we do not know,
/// members outside the schema) is kept in <see cref="Source"/> and written back unchanged; <see cref="Ignored"/>
/// says what it is. An enabled flag with no filter is on for everyone.
/// </summary>
public sealed record FeatureFlag
{
    public const string TargetingFilterName = "Microsoft.Targeting";
    public const string TimeWindowFilterName = "Microsoft.TimeWindow";

    public FeatureFlag(string id, bool enabled, string? description = null, Audience? targeting = null)
    {
        Id = id;
        Enabled = enabled;
        Description = description;
        Conditions = targeting is null ? [] : [new TargetingCondition(targeting)];
    }

    public string Id { get; init; }

    public bool Enabled { get; init; }

    public string? Description { get; init; }

    /// <summary><c>conditions.requirement_type</c>: any filter (default) or all of them must match.</summary>
    public FlagRequirement Requirement { get; init; }

    /// <summary><c>conditions.client_filters</c>, in document order.</summary>
    public IReadOnlyList<FlagCondition> Conditions { get; init; }

    /// <summary>The document as read (a JSON object); the members we do not model are written back from it.</summary>
    public string? Source { get; init; }

    /// <summary>What the document holds that is kept but not evaluated here, or was read leniently (shown by the admin API).</summary>
    public IReadOnlyList<string> Ignored { get; init; } = [];

    /// <summary>The audience of the first targeting filter: the one the admin API edits.</summary>
    public Audience? Targeting => Conditions.OfType<TargetingCondition>().FirstOrDefault()?.Audience;

    /// <summary>The flag with the first targeting filter's audience replaced (or a filter added); null removes targeting.</summary>
    public FeatureFlag WithTargeting(Audience? audience)
    {
        var conditions = Conditions.ToList();
        var index = conditions.FindIndex(c => c is TargetingCondition);
        if (audience is null)
        {
            conditions.RemoveAll(c => c is TargetingCondition);
        }
        else if (index >= 0)
        {
            conditions[index] = ((TargetingCondition)conditions[index]) with { Audience = audience };
        }
        else
        {
            conditions.Add(new TargetingCondition(audience));
        }

        return this with { Conditions = conditions };
    }
}

public enum FlagRequirement
{
    Any,
    All,
}

/// <summary>One client filter; <see cref="Source"/> is the filter object as stored (null when we created it).</summary>
public abstract record FlagCondition(string Name, string? Source);

/// <summary><c>Microsoft.Targeting</c>, evaluated by Microsoft.FeatureManagement's targeting filter.</summary>
public sealed record TargetingCondition(Audience Audience, string Name = FeatureFlag.TargetingFilterName, string? Source = null)
    : FlagCondition(Name, Source);

/// <summary>
/// <c>Microsoft.TimeWindow</c>, evaluated by Microsoft.FeatureManagement's time-window filter (start, end,
/// recurrence) against our clock. <see cref="Parameters"/> are the filter's parameters flattened as configuration.
/// </summary>
public sealed record TimeWindowCondition(IReadOnlyDictionary<string, string?> Parameters, string Name, string Source)
    : FlagCondition(Name, Source);

/// <summary>A filter we cannot evaluate (a custom filter): kept, and evaluated as not matching.</summary>
public sealed record UnsupportedCondition(string Name, string Source) : FlagCondition(Name, Source);

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
