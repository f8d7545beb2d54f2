using System.Diagnostics;
using Huntaze.Functions.Onboarding.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huntaze.UnitTests.Onboarding;

public sealed class TelemetryEventSinkTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WriteAsync_EachKindOnARecordedSpan_EventNamedForItsKindWithSubject()
    {
        var sink = new TelemetryEventSink(NullLogger<TelemetryEventSink>.Instance);
        using var span = new Activity("request").Start();

        foreach (var kind in Enum.GetValues<OnboardingEventKind>())
        {
            await sink.WriteAsync(new OnboardingEvent(kind, "u1", kind == OnboardingEventKind.GuideViewed ? null : "goal_selection", At), CancellationToken.None);
        }

        var events = span.Events.ToList();
        Assert.Equal(Enum.GetValues<OnboardingEventKind>().Select(k => "huntaze.onboarding." + k), events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(At, e.Timestamp));
        Assert.Empty(events[0].Tags);
        Assert.All(events.Skip(1), e => Assert.Equal("goal_selection", e.Tags.Single(t => t.Key == "huntaze.subject").Value));
    }

    [Fact]
    public async Task WriteAsync_SpanNotRecorded_NoEvent()
    {
        var sink = new TelemetryEventSink(NullLogger<TelemetryEventSink>.Instance);
        using var span = new Activity("request").Start();
        span.IsAllDataRequested = false;

        await sink.WriteAsync(new OnboardingEvent(OnboardingEventKind.StepCompleted, "u1", "goal_selection", At), CancellationToken.None);

        Assert.Empty(span.Events);
    }
}
