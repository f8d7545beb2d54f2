using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.UnitTests.Security;

public sealed class CounterHintsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RememberWrite_AfterSweepInterval_DropsEndedWindowsWhateverTheSize()
    {
        var hints = new CounterHints();
        var day = DateOnly.FromDateTime(Noon.UtcDateTime);
        for (var i = 0; i < 10; i++)
        {
            hints.RememberWrite(new CounterKey(day, "p" + i, "1"), new CounterSnapshot(1, "e"), 20, Noon.AddMinutes(1), Noon);
        }

        hints.RememberWrite(new CounterKey(day, "later", "2"), new CounterSnapshot(1, "e"), 20, Noon.AddMinutes(3), Noon.AddMinutes(2));

        Assert.Equal(1, hints.Count);
    }

    [Fact]
    public void RememberWrite_WithinSweepInterval_DoesNotScan()
    {
        var hints = new CounterHints();
        var day = DateOnly.FromDateTime(Noon.UtcDateTime);
        hints.RememberWrite(new CounterKey(day, "a", "1"), new CounterSnapshot(1, "e"), 20, Noon.AddSeconds(1), Noon);

        hints.RememberWrite(new CounterKey(day, "b", "1"), new CounterSnapshot(1, "e"), 20, Noon.AddMinutes(1), Noon.AddSeconds(10));

        Assert.Equal(2, hints.Count); // 'a' has ended, but the next sweep is not due for 30 s
    }
}
