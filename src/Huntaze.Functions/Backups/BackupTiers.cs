namespace Huntaze.Functions.Backups;

public enum BackupTier
{
    Daily,
    Weekly,
    Monthly,
}

/// <summary>
/// The retention tiers (the original's): every backup is kept <see cref="BackupOptions.DailyDays"/> days,
/// a Sunday backup <see cref="BackupOptions.WeeklyWeeks"/> weeks, the first backup of each month
/// <see cref="BackupOptions.MonthlyMonths"/> months. The app applies these; the Blob lifecycle rules in
/// bicep/modules/backups.bicep mirror them (by the <c>tier</c> index tag, a day later) as a backstop.
/// </summary>
public static class BackupTiers
{
    public const string TagName = "tier";

    /// <summary>The tier of <paramref name="date"/> among the backups that exist (or are being written).</summary>
    public static BackupTier Of(DateOnly date, IEnumerable<DateOnly> existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        if (!existing.Any(d => d.Year == date.Year && d.Month == date.Month && d < date))
        {
            return BackupTier.Monthly;
        }

        return date.DayOfWeek == DayOfWeek.Sunday ? BackupTier.Weekly : BackupTier.Daily;
    }

    public static DateOnly KeepUntil(DateOnly date, BackupTier tier, BackupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var daily = date.AddDays(options.DailyDays);
        var tierEnd = tier switch
        {
            BackupTier.Monthly => date.AddMonths(options.MonthlyMonths),
            BackupTier.Weekly => date.AddDays(7 * options.WeeklyWeeks),
            _ => daily,
        };
        return tierEnd > daily ? tierEnd : daily;
    }

    /// <summary>The dates whose backups have outlived their tier on <paramref name="today"/>.</summary>
    public static IReadOnlyList<DateOnly> Expired(IReadOnlyCollection<DateOnly> dates, DateOnly today, BackupOptions options) =>
        [.. dates.Where(d => KeepUntil(d, Of(d, dates), options) <= today).Order()];

    public static string Tag(BackupTier tier) => tier.ToString().ToLowerInvariant();
}
