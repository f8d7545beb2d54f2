using Huntaze.LocalHost.Timers;
using Microsoft.Extensions.Configuration;

namespace Huntaze.UnitTests.LocalHost;

public sealed class TimerScheduleTests
{
    private static readonly IConfiguration Settings = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Backups:Schedule"] = "0 30 2 * * *" })
        .Build();

    [Fact]
    public void Parse_PlaceholderSetting_ResolvesFromConfiguration()
    {
        var schedule = TimerSchedule.Parse("%Backups__Schedule%", Settings);

        Assert.Equal("0 30 2 * * *", schedule.Expression);
        Assert.Equal(new DateTime(2026, 1, 2, 2, 30, 0, DateTimeKind.Utc), schedule.GetNextOccurrence(new DateTime(2026, 1, 2, 1, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void Parse_SixFieldCron_HonoursSeconds()
    {
        var schedule = TimerSchedule.Parse("*/5 * * * * *", Settings);

        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 5, DateTimeKind.Utc), schedule.GetNextOccurrence(new DateTime(2026, 1, 1, 0, 0, 1, DateTimeKind.Utc)));
    }

    [Fact]
    public void Parse_TimeSpan_IsAnInterval()
    {
        var schedule = TimerSchedule.Parse("00:00:30", Settings);

        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 31, DateTimeKind.Utc), schedule.GetNextOccurrence(new DateTime(2026, 1, 1, 0, 0, 1, DateTimeKind.Utc)));
    }

    [Theory]
    [InlineData("%Missing__Setting%")]
    [InlineData("not a schedule")]
    [InlineData("* * * * *")]
    public void Parse_Invalid_ThrowsNamingTheProblem(string declared)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Parse(declared, Settings));

        Assert.Contains(declared.Trim('%').Split("__")[0], error.Message, StringComparison.Ordinal);
    }
}
