using System.Text.Json.Nodes;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// User ids in flag targeting lists (Users, Exclusion.Users), in the flag store in use and in the
/// published snapshot. Erasure removes the id from each flag with a write conditioned on the flag's ETag
/// (a concurrent admin change makes it re-read and retry), then republishes the snapshot.
/// </summary>
public sealed class FlagTargetingHandler(IFlagStore flags, IFlagPublisher publisher, FlagState state, SnapshotBlobStore blobs) : ISubjectDataHandler
{
    private const int ConflictRetries = 5;
    private const string Snapshot = "blob:" + SnapshotBlobStore.Container;

    public string Key => "flags";

    public IReadOnlyList<string> Stores => [SourceStore, Snapshot];

    /// <summary>The declared name of the flag store in use.</summary>
    private string SourceStore => flags.Kind == "appConfiguration" ? HuntazeDataMap.AppConfigurationFlags : TableFlagStore.TableName;

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken)
    {
        var listing = await flags.ListAsync(cancellationToken).ConfigureAwait(false);
        var published = await blobs.ReadIfChangedAsync(null, cancellationToken).ConfigureAwait(false);
        var inSnapshot = published.Content is { } content ? FlagSnapshot.Parse(content).Flags.Values.Count(f => FlagSubjects.Names(f.Flag, subject.UserId)) : 0;
        return [new(SourceStore, listing.Count(d => d.Flag is { } f && FlagSubjects.Names(f, subject.UserId))), new(Snapshot, inSnapshot)];
    }

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken)
    {
        var listing = await flags.ListAsync(cancellationToken).ConfigureAwait(false);
        var items = listing.Select(d => d.Flag).OfType<FeatureFlag>().Where(f => FlagSubjects.Names(f, subject.UserId)).Select(f => new JsonObject
        {
            ["flag"] = f.Id,
            ["list"] = FlagSubjects.Excludes(f, subject.UserId) ? "excluded" : "included",
        }).ToList();
        return [new(SourceStore, items)];
    }

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        var changed = 0;
        foreach (var name in (await flags.ListAsync(cancellationToken).ConfigureAwait(false)).Where(d => d.Flag is { } f && FlagSubjects.Names(f, subject.UserId)).Select(d => d.Name).ToList())
        {
            changed += await RemoveAsync(name, subject.UserId, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        // Republish even when nothing changed here: a previous attempt may have changed the store and died
        // before publishing. Unchanged content uploads nothing.
        var published = await publisher.PublishAfterWriteAsync(cancellationToken).ConfigureAwait(false)
            ?? throw Problems.Unavailable("The flag snapshot could not be republished (other writers kept winning); the workflow retries.", TimeSpan.FromSeconds(1));
        state.Apply(published);
        return [new(SourceStore, changed), new(Snapshot, changed)];
    }

    private async Task<bool> RemoveAsync(string name, string userId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stored = await flags.GetAsync(name, cancellationToken).ConfigureAwait(false);
            if (stored?.Flag is not { } flag || !FlagSubjects.Names(flag, userId))
            {
                return false;
            }

            var without = FlagSubjects.Without(flag, u => u == userId);
            try
            {
                await flags.SaveAsync(without, stored.Tags, FlagWriteCondition.Matching(stored.ETag), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (FlagConflictException) when (attempt < ConflictRetries)
            {
                // An administrator changed the flag meanwhile: read their version and remove the id from it.
            }
        }
    }
}
