using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Health;

public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>How long one readiness probe may wait for all dependencies.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>How long a probe's report answers later requests (the endpoint is anonymous).</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed record ReadinessReport(ReadinessStatus Status, IReadOnlyDictionary<string, ReadinessResult> Checks);

/// <summary>
/// Runs every <see cref="IReadinessCheck"/> at once under one deadline. The endpoint is anonymous, so
/// concurrent and closely following requests share one probe: storage sees at most one probe per
/// <see cref="HealthOptions.CacheFor"/> per instance, however many callers there are.
/// </summary>
public sealed class ReadinessService(IEnumerable<IReadinessCheck> checks, IOptions<HealthOptions> options, TimeProvider time)
{
    private readonly IReadinessCheck[] _checks = [.. checks];
    private readonly Lock _gate = new();
    private (Task<ReadinessReport> Probe, DateTimeOffset StartedAt)? _latest;

    public Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_latest is not { } latest || latest.Probe.IsFaulted || now - latest.StartedAt >= options.Value.CacheFor)
            {
                _latest = latest = (ProbeAsync(), now);
            }

            return latest.Probe.WaitAsync(cancellationToken);
        }
    }

    /// <summary>One probe, independent of any caller's cancellation (callers share it), under one deadline.</summary>
    private async Task<ReadinessReport> ProbeAsync()
    {
        using var deadline = new CancellationTokenSource(options.Value.Timeout, time);
        var results = await Task.WhenAll(_checks.Select(c => RunAsync(c, deadline.Token))).ConfigureAwait(false);
        var byName = results.ToDictionary(r => r.Name, r => r.Result, StringComparer.Ordinal);
        var status = byName.Values.Select(r => r.Status).DefaultIfEmpty(ReadinessStatus.Healthy).Max();
        return new ReadinessReport(status, byName);
    }

    private static async Task<(string Name, ReadinessResult Result)> RunAsync(IReadinessCheck check, CancellationToken deadline)
    {
        try
        {
            return (check.Name, await check.CheckAsync(deadline).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            return (check.Name, new ReadinessResult(ReadinessStatus.Unhealthy, "timed out"));
        }
#pragma warning disable CA1031 // A probe reports any failure of its dependency instead of throwing.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return (check.Name, new ReadinessResult(ReadinessStatus.Unhealthy, exception.GetType().Name));
        }
    }
}
