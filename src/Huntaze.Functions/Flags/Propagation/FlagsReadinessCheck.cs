using System.Text.Json;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Health;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// Reports the flag store in use and the age of the served set. Never unhealthy (flags always serve: the
/// last-known-good set or the fail-safe defaults) but degraded when nothing is loaded, the snapshot blob
/// cannot be read, the set is older than <see cref="FlagsOptions.StaleAfterSeconds"/>, or the singleton sync
/// reports the source unreachable (or has stopped reporting).
/// </summary>
public sealed class FlagsReadinessCheck(IFlagStore store, FlagState state, SnapshotBlobStore blobs, IOptions<FlagsOptions> options, TimeProvider time) : IReadinessCheck
{
    private static readonly TimeSpan StatusCacheFor = TimeSpan.FromSeconds(2);
    private (DateTimeOffset ReadAt, FlagSyncStatus? Status)? _cached;

    public string Name => "flags";

    public async Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        var sync = await ReadSyncStatusAsync(cancellationToken).ConfigureAwait(false);
        var age = state.AgeSeconds;
        var problems = new List<string>();
        if (!state.IsLoaded)
        {
            problems.Add("no flag set loaded: serving fail-safe defaults");
        }

        if (state.LastError is { } error)
        {
            problems.Add(error);
        }

        if (state.IsLoaded && age > options.Value.StaleAfterSeconds)
        {
            problems.Add($"flag set last confirmed {age:F0} s ago");
        }

        if (sync is { Healthy: false })
        {
            problems.Add($"flag source ({sync.Source}) unreachable: serving last-known-good flags");
        }
        else if (sync is not null && time.GetUtcNow() - sync.CheckedAt > FlagSync.Heartbeat * 3)
        {
            problems.Add("flag sync has not reported for over 3 minutes");
        }

        var data = new Dictionary<string, object?>
        {
            ["store"] = store.Kind,
            ["loaded"] = state.IsLoaded,
            ["snapshotAgeSeconds"] = Math.Round(age, 1),
            ["snapshotHash"] = state.Snapshot?.Hash,
            ["sourceReachable"] = sync?.Healthy,
            ["lastSyncSuccessAt"] = sync?.LastSuccessAt,
        };
        return new ReadinessResult(
            problems.Count == 0 ? ReadinessStatus.Healthy : ReadinessStatus.Degraded,
            problems.Count == 0 ? null : string.Join("; ", problems),
            data);
    }

    private async Task<FlagSyncStatus?> ReadSyncStatusAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cached is { } cached && now - cached.ReadAt < StatusCacheFor)
        {
            return cached.Status;
        }

        FlagSyncStatus? status;
        try
        {
            status = (await blobs.ReadStatusAsync(cancellationToken).ConfigureAwait(false))?.ToObjectFromJson<FlagSyncStatus>(JsonSerializerOptions.Web);
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or JsonException)
        {
            status = null;
        }

        _cached = (now, status);
        return status;
    }
}
