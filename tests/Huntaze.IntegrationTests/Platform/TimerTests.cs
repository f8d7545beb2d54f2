using System.Net;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.TestFunctions;

namespace Huntaze.IntegrationTests.Platform;

public sealed class TimerTests(HostFixture fixture)
{
    [Fact]
    public async Task Timer_ScheduleFromSetting_FiresRepeatedly()
    {
        var start = TimerFunctions.Ticks;

        await Eventually.HoldsAsync(() => Task.FromResult(TimerFunctions.Ticks >= start + 2), TimeSpan.FromSeconds(10), "the every-second timer fires twice");
    }

    [Fact]
    public async Task Timer_RunOnStartup_RunsWhenTheHostStarts()
    {
        // The fixture's host has started; a yearly timer declared RunOnStartup has therefore run.
        _ = fixture.Host;

        await Eventually.HoldsAsync(() => Task.FromResult(TimerFunctions.StartupRuns >= 1), TimeSpan.FromSeconds(10), "the RunOnStartup timer ran at start");
    }

    [Fact]
    public async Task AdminTrigger_TimerFunction_RunsItNow()
    {
        using var client = fixture.CreateClient();
        var before = TimerFunctions.ManualRuns;

        using var response = await client.PostAsync("/admin/functions/TestManualTimer", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(TimerFunctions.ManualRuns > before);
    }

    [Fact]
    public async Task AdminTrigger_UnknownFunction_Returns404Problem()
    {
        using var client = fixture.CreateClient();

        using var response = await client.PostAsync("/admin/functions/NoSuchTimer", null, TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }
}
