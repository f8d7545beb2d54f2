using System.Globalization;
using Huntaze.Functions.Flags.Documents;

namespace Huntaze.Functions.Flags.Admin;

/// <summary>
/// The progressive rollout: internal staff → 5% → 25% → 50% → 100%, with minimum dwell times of 24 h, 48 h,
/// 72 h and 1 week before leaving each stage. Rolling back is always allowed; advancing early or skipping a
/// stage needs <c>force</c>. The stage and its start are kept in the flag's tags.
/// </summary>
public static class RolloutPlan
{
    public const string StageTag = "huntaze.rollout.stage";
    public const string SinceTag = "huntaze.rollout.since";

    public static IReadOnlyList<string> Stages { get; } = ["internal", "5", "25", "50", "100"];

    /// <summary>Minimum time at stage i before moving to stage i + 1.</summary>
    public static IReadOnlyList<TimeSpan> Dwell { get; } = [TimeSpan.FromHours(24), TimeSpan.FromHours(48), TimeSpan.FromHours(72), TimeSpan.FromDays(7)];

    public static int IndexOf(string stage) => Stages.ToList().IndexOf(stage);

    public static (string Stage, DateTimeOffset Since)? Current(IReadOnlyDictionary<string, string> tags) =>
        tags.TryGetValue(StageTag, out var stage) && IndexOf(stage) >= 0 &&
        tags.TryGetValue(SinceTag, out var since) && DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? (stage, at)
            : null;

    /// <summary>Null when the move is allowed without force, else why not (and when it would be).</summary>
    public static RolloutRefusal? Check((string Stage, DateTimeOffset Since)? current, string target, DateTimeOffset now)
    {
        var to = IndexOf(target);
        var from = current is { } c ? IndexOf(c.Stage) : -1;
        if (to <= from || (from == -1 && to == 0))
        {
            return null;
        }

        if (to > from + 1)
        {
            return new RolloutRefusal($"Stage '{target}' skips a stage after '{current?.Stage ?? "not started"}'; pass force to skip.", null);
        }

        var earliest = current!.Value.Since + Dwell[from];
        return now >= earliest
            ? null
            : new RolloutRefusal($"Stage '{current.Value.Stage}' needs {Dwell[from].TotalHours:F0} h before '{target}'; pass force to advance early.", earliest);
    }

    /// <summary>The flag at <paramref name="stage"/>: on, internal groups at 100 %, everyone else at the stage's percentage.</summary>
    public static FeatureFlag Apply(FeatureFlag flag, string stage, IReadOnlyList<string> internalGroups)
    {
        var audience = flag.Targeting ?? Audience.Nobody;
        var others = audience.Groups.Where(g => !internalGroups.Contains(g.Name, StringComparer.Ordinal));
        var groups = internalGroups.Select(g => new GroupRollout(g, 100)).Concat(others).ToList();
        var percentage = stage == "internal" ? 0 : double.Parse(stage, CultureInfo.InvariantCulture);
        return (flag with { Enabled = true }).WithTargeting(audience with { Groups = groups, DefaultRolloutPercentage = percentage });
    }

    public static Dictionary<string, string> Tags(IReadOnlyDictionary<string, string> existing, string stage, DateTimeOffset since) =>
        new(existing, StringComparer.Ordinal)
        {
            [StageTag] = stage,
            [SinceTag] = since.ToString("O", CultureInfo.InvariantCulture),
        };
}

public sealed record RolloutRefusal(string Reason, DateTimeOffset? EarliestAt);
