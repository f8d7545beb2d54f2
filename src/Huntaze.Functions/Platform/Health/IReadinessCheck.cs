namespace Huntaze.Functions.Platform.Health;

public enum ReadinessStatus
{
    Healthy,
    Degraded,
    Unhealthy,
}

public sealed record ReadinessResult(ReadinessStatus Status, string? Detail = null, IReadOnlyDictionary<string, object?>? Data = null);

/// <summary>A dependency that <c>/api/health/ready</c> reports on. Features register their own.</summary>
public interface IReadinessCheck
{
    string Name { get; }

    Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken);
}
