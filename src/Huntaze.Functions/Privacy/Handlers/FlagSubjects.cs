using Huntaze.Functions.Flags.Documents;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// User ids in a flag's targeting filters. A document may carry several <c>Microsoft.Targeting</c> filters (a
/// portal-edited one can), so every one of them is searched and cleaned, not only the one the admin API edits.
/// </summary>
internal static class FlagSubjects
{
    public static IEnumerable<Audience> Audiences(FeatureFlag flag) => flag.Conditions.OfType<TargetingCondition>().Select(c => c.Audience);

    public static IEnumerable<string> Named(FeatureFlag flag) => Audiences(flag).SelectMany(a => a.Users.Concat(a.ExcludedUsers));

    public static bool Names(FeatureFlag flag, string userId) => Named(flag).Contains(userId, StringComparer.Ordinal);

    public static bool Excludes(FeatureFlag flag, string userId) => Audiences(flag).Any(a => a.ExcludedUsers.Contains(userId, StringComparer.Ordinal));

    /// <summary>The flag with every id <paramref name="erased"/> picks removed from every targeting filter.</summary>
    public static FeatureFlag Without(FeatureFlag flag, Func<string, bool> erased) => flag with
    {
        Conditions = [.. flag.Conditions.Select(c => c is TargetingCondition t
            ? t with { Audience = t.Audience with { Users = [.. t.Audience.Users.Where(u => !erased(u))], ExcludedUsers = [.. t.Audience.ExcludedUsers.Where(u => !erased(u))] } }
            : c)],
    };
}
