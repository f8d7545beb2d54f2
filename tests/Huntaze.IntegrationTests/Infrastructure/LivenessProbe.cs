using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>
/// Issue 15's "no thread starvation" probe: asks the host's liveness endpoint (<c>GET /api/health</c>, which
/// touches no storage) every few tens of milliseconds while a fault runs. Starved threads would show as
/// liveness requests that time out or fail; the probe counts answers and failures and keeps the slowest answer
/// for the figures (reported, never asserted: latency targets are benchmarks).
/// </summary>
public sealed class LivenessProbe : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _answered, _failed;
    private long _slowestTicks;

    public LivenessProbe(LocalHostInstance host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _client = host.CreateClient();
        _client.Timeout = TimeSpan.FromSeconds(30);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Liveness answers 200 so far.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>Liveness requests that failed, timed out or answered anything but 200.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

    public string Summary => string.Create(CultureInfo.InvariantCulture, $"liveness answered {Answered}, failed {Failed}, slowest {Slowest.TotalMilliseconds:F0} ms");

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await _client.GetAsync("/api/health", _stop.Token);
                _ = response.StatusCode == HttpStatusCode.OK ? Interlocked.Increment(ref _answered) : Interlocked.Increment(ref _failed);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref _failed);
            }

            var elapsed = Stopwatch.GetElapsedTime(started).Ticks;
            long seen;
            while (elapsed > (seen = Interlocked.Read(ref _slowestTicks)) && Interlocked.CompareExchange(ref _slowestTicks, elapsed, seen) != seen)
            {
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _client.Dispose();
    }
}
