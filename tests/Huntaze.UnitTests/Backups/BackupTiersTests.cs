using Huntaze.Functions.Backups;

namespace Huntaze.UnitTests.Backups;

public sealed class BackupTiersTests
{
    private static readonly BackupOptions Options = new();

    [Fact]
    public void Of_FirstBackupOfTheMonth_IsMonthlyEvenWhenNotTheFirst()
    {
        var dates = new[] { new DateOnly(2026, 11, 30), new DateOnly(2026, 12, 2), new DateOnly(2026, 12, 3) };

        Assert.Equal(BackupTier.Monthly, BackupTiers.Of(new DateOnly(2026, 12, 2), dates));
        Assert.Equal(BackupTier.Daily, BackupTiers.Of(new DateOnly(2026, 12, 3), dates));
    }

    [Fact]
    public void Of_SundayAfterTheFirstOfTheMonth_IsWeekly()
    {
        var dates = new[] { new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 6) };

        Assert.Equal(DayOfWeek.Sunday, new DateOnly(2026, 12, 6).DayOfWeek);
        Assert.Equal(BackupTier.Weekly, BackupTiers.Of(new DateOnly(2026, 12, 6), dates));
    }

    [Fact]
    public void Expired_AYearOfDailyBackups_KeepsThirtyDaysTwelveSundaysAndTwelveMonths()
    {
        var today = new DateOnly(2026, 12, 1);
        var dates = Enumerable.Range(1, 400).Select(d => today.AddDays(-d)).ToList();

        var expired = BackupTiers.Expired(dates, today, Options).ToHashSet();
        var kept = dates.Where(d => !expired.Contains(d)).ToList();

        Assert.All(dates.Where(d => d > today.AddDays(-30)), d => Assert.Contains(d, kept));
        Assert.All(dates.Where(d => d.DayOfWeek == DayOfWeek.Sunday && d > today.AddDays(-84)), d => Assert.Contains(d, kept));
        Assert.All(dates.Where(d => d.Day == 1 && d > today.AddMonths(-12)), d => Assert.Contains(d, kept));
        var plainDay = dates.First(d => d < today.AddDays(-30) && d.DayOfWeek != DayOfWeek.Sunday && d.Day != 1);
        Assert.Contains(plainDay, expired);
        var oldSunday = dates.First(d => d < today.AddDays(-84) && d.DayOfWeek == DayOfWeek.Sunday && d.Day != 1);
        Assert.Contains(oldSunday, expired);
        Assert.DoesNotContain(kept, d => d <= today.AddMonths(-12));
        Assert.InRange(kept.Count, 30 + 8, 30 + 12 + 12);
    }
}
