namespace Huntaze.Functions.Platform.Hosting;

/// <summary>
/// The one timer loop of the app's background services (flag snapshot poll, controls poll, denial flush). A tick
/// that fails is reported and the loop goes on: a background service that throws stops the whole host, and a
/// storage timeout surfaces as a <see cref="TaskCanceledException"/> that is not the host stopping. The loop ends
/// quietly when its stopping token is cancelled, whether by a stop or by a dispose without one.
/// </summary>
public static class PeriodicWork
{
    public static async Task RunAsync(TimeSpan period, TimeProvider time, Func<CancellationToken, Task> tick, Action<Exception> failed, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(tick);
        ArgumentNullException.ThrowIfNull(failed);
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await tick(stoppingToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Reported and survived: the loop must outlive any one failed tick.
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    failed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the loop ends; it does not fail the host.
        }
    }
}
