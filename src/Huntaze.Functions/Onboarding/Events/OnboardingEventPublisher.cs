using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Onboarding.Events;

/// <summary>Filters, then hands the event to every sink. A failing sink never fails the user's request.</summary>
public sealed partial class OnboardingEventPublisher(
    IEnumerable<IOnboardingEventFilter> filters,
    IEnumerable<IOnboardingEventSink> sinks,
    ILogger<OnboardingEventPublisher> logger) : IOnboardingEventPublisher
{
    private readonly IOnboardingEventFilter[] _filters = [.. filters];
    private readonly IOnboardingEventSink[] _sinks = [.. sinks];

    public void Prepare(string userId)
    {
        foreach (var filter in _filters)
        {
            filter.Prepare(userId);
        }
    }

    public async ValueTask PublishAsync(OnboardingEvent domainEvent, CancellationToken cancellationToken)
    {
        foreach (var filter in _filters)
        {
            if (!await filter.AllowsAsync(domainEvent, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        foreach (var sink in _sinks)
        {
            try
            {
                await sink.WriteAsync(domainEvent, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Events are best effort: the user's change is already committed.
            catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogSinkFailed(logger, exception, domainEvent.Kind);
            }
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "An onboarding event sink failed for {Kind}")]
    private static partial void LogSinkFailed(ILogger logger, Exception exception, OnboardingEventKind kind);
}

/// <summary>Records events as structured logs and as events on the current activity.</summary>
public sealed partial class TelemetryEventSink(ILogger<TelemetryEventSink> logger) : IOnboardingEventSink
{
    /// <summary>The activity event's name per kind, built once (a guide view is an event on every GET).</summary>
    private static readonly string[] EventNames = [.. Enum.GetValues<OnboardingEventKind>().Select(k => "huntaze.onboarding." + k)];

    public ValueTask WriteAsync(OnboardingEvent domainEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        LogEvent(logger, domainEvent.Kind, domainEvent.UserId, domainEvent.Subject);
        if (Activity.Current is { IsAllDataRequested: true } span)
        {
            span.AddEvent(new ActivityEvent(
                EventNames[(int)domainEvent.Kind],
                domainEvent.OccurredAt,
                domainEvent.Subject is { } subject ? new ActivityTagsCollection { ["huntaze.subject"] = subject } : null));
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Onboarding event {Kind} for user {UserId} on {Subject}")]
    private static partial void LogEvent(ILogger logger, OnboardingEventKind kind, string userId, string? subject);
}
