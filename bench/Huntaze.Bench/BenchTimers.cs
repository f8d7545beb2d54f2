namespace Huntaze.Bench;

/// <summary>
/// The app's timer schedules, which the host requires like Azure does (binding expressions such as
/// <c>%Backups__Schedule%</c>), set to once a year so that no timer fires during a benchmark.
/// </summary>
internal static class BenchTimers
{
    private static readonly Dictionary<string, string> Yearly = new(StringComparer.Ordinal)
    {
        ["Backups__Schedule"] = "0 0 2 1 1 *",
        ["Backups__DrillSchedule"] = "0 0 4 1 1 *",
        ["Privacy__RetentionSchedule"] = "0 0 0 1 1 *",
    };

    /// <summary>Adds every timer schedule to <paramref name="settings"/> (an explicit value there wins) and returns it.</summary>
    public static Dictionary<string, string?> Quiet(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (name, schedule) in Yearly)
        {
            settings.TryAdd(name, schedule);
        }

        return settings;
    }
}
