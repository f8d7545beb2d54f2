using Huntaze.Functions.Flags.Stores;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Flags.Propagation;

public enum PublishOutcome
{
    Unchanged,
    Published,
    LostRace,
}

/// <summary>The outcome and the snapshot built; only a Published or Unchanged snapshot is the one in the blob.</summary>
public sealed record PublishResult(PublishOutcome Outcome, FlagSnapshot Snapshot);

/// <summary>What writers need from propagation: publish now, and get the published snapshot to apply locally.</summary>
public interface IFlagPublisher
{
    /// <summary>The snapshot now in the blob holding the caller's write; null when every attempt lost its race.</summary>
    Task<FlagSnapshot?> PublishAfterWriteAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Copies the flag source into <c>flags/snapshot.json</c> when its content changed. The blob's ETag is read
/// before the source and the upload is conditioned on it, so a sync that read the source before an admin
/// write can never overwrite the snapshot that write published (it loses the race and the next tick retries).
/// Each publish takes a generation above the one it replaces, which instances use to never go back.
/// </summary>
public sealed partial class SnapshotPublisher(IFlagStore store, SnapshotBlobStore blobs, TimeProvider time, ILogger<SnapshotPublisher> logger) : IFlagPublisher
{
    public const int AttemptsAfterWrite = 5;

    public async Task<PublishResult> PublishAsync(CancellationToken cancellationToken)
    {
        var head = await blobs.HeadAsync(cancellationToken).ConfigureAwait(false);
        var documents = StoredDocument.MarkClashes(await store.ListAsync(cancellationToken).ConfigureAwait(false));
        FlagSnapshot? previous = null;
        if (head is not null && documents.Any(d => !d.IsReadable))
        {
            // Unreadable documents keep their last readable version, taken from the snapshot being replaced.
            if (await blobs.ReadIfUnchangedAsync(head.ETag, cancellationToken).ConfigureAwait(false) is not { } content)
            {
                return new PublishResult(PublishOutcome.LostRace, FlagSnapshot.Create(documents, null, store.Kind, time.GetUtcNow()));
            }

            previous = TryParse(content);
        }

        var now = time.GetUtcNow();
        var snapshot = FlagSnapshot.Create(documents, previous, store.Kind, now);
        if (head?.Hash == snapshot.Hash)
        {
            return new PublishResult(PublishOutcome.Unchanged, snapshot with { Generation = head.Generation });
        }

        // Above the replaced generation, and above the clock so a blob recreated from scratch still outranks
        // what instances hold (a hybrid logical clock: publishers' clocks may differ, the chain never goes down).
        var generation = Math.Max((head?.Generation ?? 0) + 1, now.ToUnixTimeMilliseconds());
        snapshot = snapshot with { Generation = generation };
        var etag = await blobs.TryPublishAsync(snapshot.ToUtf8(), snapshot.Hash, generation, head?.ETag, cancellationToken).ConfigureAwait(false);
        if (etag is null)
        {
            return new PublishResult(PublishOutcome.LostRace, snapshot);
        }

        Log.Published(logger, snapshot.Flags.Count, snapshot.Hash);
        foreach (var unreadable in snapshot.Unreadable)
        {
            Log.UnreadableFlag(logger, unreadable.Key, string.Join(" ", unreadable.Errors));
        }

        return new PublishResult(PublishOutcome.Published, snapshot);
    }

    /// <summary>For writers (admin API): publish until our write is in the snapshot, retrying lost races a few times.</summary>
    public async Task<FlagSnapshot?> PublishAfterWriteAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= AttemptsAfterWrite; attempt++)
        {
            var result = await PublishAsync(cancellationToken).ConfigureAwait(false);
            if (result.Outcome != PublishOutcome.LostRace)
            {
                return result.Snapshot;
            }
        }

        return null;
    }

    private FlagSnapshot? TryParse(byte[] content)
    {
        try
        {
            return FlagSnapshot.Parse(content);
        }
        catch (FormatException exception)
        {
            Log.PreviousUnreadable(logger, exception);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Flag document {Name} in the source cannot be used ({Reasons}); see readiness.")]
        public static partial void UnreadableFlag(ILogger logger, string name, string reasons);

        [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Published a flag snapshot of {Count} flags ({Hash}).")]
        public static partial void Published(ILogger logger, int count, string hash);

        [LoggerMessage(EventId = 5018, Level = LogLevel.Warning, Message = "The published snapshot cannot be read; unreadable flags get no last-known-good version.")]
        public static partial void PreviousUnreadable(ILogger logger, Exception exception);
    }
}
