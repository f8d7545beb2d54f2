using Huntaze.Functions.Flags.Stores;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Flags.Propagation;

public enum PublishOutcome
{
    Unchanged,
    Published,
    LostRace,
}

public sealed record PublishResult(PublishOutcome Outcome, FlagSnapshot Snapshot);

/// <summary>
/// Copies the flag source into <c>flags/snapshot.json</c> when its content changed. The blob's ETag is read
/// before the source and the upload is conditioned on it, so a sync that read the source before an admin
/// write can never overwrite the snapshot that write published (it loses the race and the next tick retries).
/// </summary>
/// <summary>What writers need from propagation: publish now, and get the snapshot to apply locally.</summary>
public interface IFlagPublisher
{
    Task<FlagSnapshot> PublishAfterWriteAsync(CancellationToken cancellationToken);
}

public sealed partial class SnapshotPublisher(IFlagStore store, SnapshotBlobStore blobs, TimeProvider time, ILogger<SnapshotPublisher> logger) : IFlagPublisher
{
    public async Task<PublishResult> PublishAsync(CancellationToken cancellationToken)
    {
        var head = await blobs.HeadAsync(cancellationToken).ConfigureAwait(false);
        var listing = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in listing.Invalid)
        {
            Log.InvalidFlagSkipped(logger, name);
        }

        var snapshot = FlagSnapshot.Create(listing.Flags, store.Kind, time.GetUtcNow());
        if (head?.Hash == snapshot.Hash)
        {
            return new PublishResult(PublishOutcome.Unchanged, snapshot);
        }

        var etag = await blobs.TryPublishAsync(snapshot.ToUtf8(), snapshot.Hash, head?.ETag, cancellationToken).ConfigureAwait(false);
        if (etag is null)
        {
            return new PublishResult(PublishOutcome.LostRace, snapshot);
        }

        Log.Published(logger, snapshot.Flags.Count, snapshot.Hash);
        return new PublishResult(PublishOutcome.Published, snapshot);
    }

    /// <summary>For writers (admin API): publish until our write is in the snapshot, retrying lost races a few times.</summary>
    public async Task<FlagSnapshot> PublishAfterWriteAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await PublishAsync(cancellationToken).ConfigureAwait(false);
            if (result.Outcome != PublishOutcome.LostRace || attempt >= 4)
            {
                return result.Snapshot;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Flag {Name} in the source is not a valid document; it is left out of the snapshot.")]
        public static partial void InvalidFlagSkipped(ILogger logger, string name);

        [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Published a flag snapshot of {Count} flags ({Hash}).")]
        public static partial void Published(ILogger logger, int count, string hash);
    }
}
