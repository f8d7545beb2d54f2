using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Health;

public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>How long one readiness probe may wait for all dependencies.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1.5);
}

public sealed record ReadinessReport(ReadinessStatus Status, IReadOnlyDictionary<string, ReadinessResult> Checks);

/// <summary>Runs every <see cref="IReadinessCheck"/> at once under one deadline.</summary>
public sealed class ReadinessService(IEnumerable<IReadinessCheck> checks, IOptions<HealthOptions> options)
{
    private readonly IReadinessCheck[] _checks = [.. checks];

    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Timeout);
        var results = await Task.WhenAll(_checks.Select(c => RunAsync(c, deadline.Token, cancellationToken))).ConfigureAwait(false);
        var byName = results.ToDictionary(r => r.Name, r => r.Result, StringComparer.Ordinal);
        var status = byName.Values.Select(r => r.Status).DefaultIfEmpty(ReadinessStatus.Healthy).Max();
        return new ReadinessReport(status, byName);
    }

    private static async Task<(string Name, ReadinessResult Result)> RunAsync(IReadinessCheck check, CancellationToken deadline, CancellationToken caller)
    {
        try
        {
            return (check.Name, await check.CheckAsync(deadline).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            return (check.Name, new ReadinessResult(ReadinessStatus.Unhealthy, "timed out"));
        }
#pragma warning disable CA1031 // A probe reports any failure of its dependency instead of throwing.
        catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return (check.Name, new ReadinessResult(ReadinessStatus.Unhealthy, exception.GetType().Name));
        }
    }
}
