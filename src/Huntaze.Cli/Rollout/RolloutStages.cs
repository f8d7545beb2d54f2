namespace Huntaze.Cli.Rollout;

/// <summary>
/// The stages of the progressive rollout in order, as the admin API names them (the API's RolloutPlan is the
/// authority; a unit test keeps this list equal to it).
/// </summary>
public static class RolloutStages
{
    public static IReadOnlyList<string> All { get; } = ["internal", "5", "25", "50", "100"];

    /// <summary>The stage after <paramref name="current"/> (null = not started), or null at the last stage.</summary>
    public static string? After(string? current)
    {
        if (current is null)
        {
            return All[0];
        }

        var index = All.ToList().IndexOf(current);
        return index < 0
            ? throw new RolloutException($"The flag is at unknown stage '{current}'; stages are {string.Join(", ", All)}.")
            : index + 1 < All.Count ? All[index + 1] : null;
    }

    public static bool IsValid(string stage) => All.Contains(stage, StringComparer.Ordinal);
}
