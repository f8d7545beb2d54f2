using Huntaze.Functions.Platform.Hosting;
using Huntaze.LocalHost.Functions;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.LocalHost.Timers;

/// <summary>
/// Fires every timer function on its schedule (and once at start when <c>RunOnStartup</c>), and on
/// demand for the admin endpoint. Like the real host, one invocation of a timer runs at a time.
/// </summary>
internal sealed partial class TimerDispatcher(
    FunctionCatalog catalog,
    IServiceProvider services,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<TimerDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    // Never disposed: a run in flight when the host stops (an admin trigger, or a run past the stop timeout)
    // releases its gate afterwards, and a disposed gate threw ObjectDisposedException there. Without a wait
    // handle ever asked for, a SemaphoreSlim holds nothing to release.
    private readonly Dictionary<string, SemaphoreSlim> _running = catalog.Functions
        .Where(f => f.Trigger == TriggerKind.Timer)
        .ToDictionary(f => f.Name, _ => new SemaphoreSlim(1, 1), StringComparer.OrdinalIgnoreCase);

    /// <summary>The timers and their resolved schedules (validated at start).</summary>
    public IReadOnlyDictionary<string, TimerSchedule> Schedules { get; } = catalog.Functions
        .Where(f => f.Trigger == TriggerKind.Timer)
        .ToDictionary(f => f.Name, f => TimerSchedule.Parse(f.Schedule!, configuration), StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs a timer function now; false when no timer has that name.</summary>
    public async Task<bool> TriggerAsync(string name, CancellationToken cancellationToken)
    {
        if (!catalog.TryGet(name, out var function) || function.Trigger != TriggerKind.Timer)
        {
            return false;
        }

        await InvokeAsync(function, isPastDue: false, cancellationToken).ConfigureAwait(false);
        return true;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Functions.Where(f => f.Trigger == TriggerKind.Timer).Select(f => RunScheduleAsync(f, stoppingToken)));

    private async Task RunScheduleAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var schedule = Schedules[function.Name];
        try
        {
            if (function.RunOnStartup)
            {
                await InvokeAsync(function, isPastDue: false, stoppingToken).ConfigureAwait(false);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitUntilAsync(schedule.GetNextOccurrence(time.GetUtcNow().UtcDateTime), stoppingToken).ConfigureAwait(false);
                await InvokeAsync(function, isPastDue: false, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    /// <summary>
    /// Waits for <paramref name="due"/> a day at most at a time: a timer's delay cannot exceed about 49.7 days, and
    /// a yearly schedule (the tests' backups, a retention run on January 1st) is further away than that for most of
    /// the year; one longer delay threw and the failed background service stopped the host.
    /// </summary>
    private async Task WaitUntilAsync(DateTime due, CancellationToken stoppingToken)
    {
        for (var left = due - time.GetUtcNow().UtcDateTime; left > TimeSpan.Zero; left = due - time.GetUtcNow().UtcDateTime)
        {
            await Task.Delay(left < MaxWait ? left : MaxWait, time, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task InvokeAsync(FunctionDescriptor function, bool isPastDue, CancellationToken cancellationToken)
    {
        var gate = _running[function.Name];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var timer = new TimerInfo { IsPastDue = isPastDue };
            var arguments = function.Method.GetParameters()
                .Select(p => p == function.TriggerParameter
                    ? timer
                    : FunctionInvoker.BindCommon(p, scope.ServiceProvider, () => new LocalFunctionContext(function, scope.ServiceProvider, cancellationToken), cancellationToken))
                .ToArray();
            await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, arguments).ConfigureAwait(false);
            LogCompleted(logger, function.Name);
        }
#pragma warning disable CA1031 // A failing timer run is logged and retried at its next occurrence, as the real host does.
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogFailed(logger, exception, function.Name);
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Timer {FunctionName} completed")]
    private static partial void LogCompleted(ILogger logger, string functionName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer {FunctionName} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string functionName);
}
