using System.Text.Json.Nodes;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Privacy.Subjects;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// User ids in flag documents, in the flag store in use and in the published snapshot. Erasure removes the id
/// from every list of every document that names it (targeting users and exclusions, and any list we do not
/// model, e.g. a variant allocation's users), with a write conditioned on the flag's ETag (an admin's change
/// meanwhile makes it re-read and retry), then republishes the snapshot. Counting reads the stored text, so a
/// document the store cannot parse is still found (and left for the DPO: verification reports it).
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
        var documents = await flags.ListAsync(cancellationToken).ConfigureAwait(false);
        var published = await blobs.ReadIfChangedAsync(null, cancellationToken).ConfigureAwait(false);
        var inSnapshot = published.Content is { } content && SubjectCipher.Mentions(System.Text.Encoding.UTF8.GetString(content), subject.UserId) ? 1 : 0;
        return [new(SourceStore, documents.Count(d => SubjectCipher.Mentions(d.Text, subject.UserId))), new(Snapshot, inSnapshot)];
    }

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken)
    {
        var documents = await flags.ListAsync(cancellationToken).ConfigureAwait(false);
        var items = documents.Where(d => SubjectCipher.Mentions(d.Text, subject.UserId)).Select(d => new JsonObject
        {
            ["flag"] = d.Id,
            ["list"] = d.Flag?.Targeting is { } a && a.ExcludedUsers.Contains(subject.UserId, StringComparer.Ordinal) ? "excluded" : "included",
        }).ToList();
        return [new(SourceStore, items)];
    }

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        var changed = 0;
        var naming = (await flags.ListAsync(cancellationToken).ConfigureAwait(false)).Where(d => d.IsReadable && SubjectCipher.Mentions(d.Text, subject.UserId)).Select(d => d.Name).ToList();
        await Parallel.ForEachAsync(naming, SubjectWrites.Options(cancellationToken), async (name, ct) =>
        {
            if (await RemoveAsync(name, subject.UserId, ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref changed);
            }
        }).ConfigureAwait(false);

        // Republish even when nothing changed here: a previous attempt may have changed the store and died
        // before publishing. Unchanged content uploads nothing.
        if (await publisher.PublishAfterWriteAsync(cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            state.Apply(snapshot);
        }

        return [new(SourceStore, changed), new(Snapshot, changed)];
    }

    /// <summary>The document without the user id in any list; null when it does not name them or cannot be read.</summary>
    public static FeatureFlag? Without(string documentText, string name, string userId)
    {
        if (JsonNode.Parse(documentText) is not JsonObject root || !Scrub(root, userId))
        {
            return null;
        }

        var parsed = FlagDocument.Parse(root.ToJsonString(), name);
        return parsed.IsValid ? parsed.Flag : null;
    }

    private async Task<bool> RemoveAsync(string name, string userId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stored = await flags.GetAsync(name, cancellationToken).ConfigureAwait(false);
            if (stored is null || !stored.IsReadable || Without(stored.Text, name, userId) is not { } without)
            {
                return false;
            }

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

    /// <summary>Removes every array element that is exactly the user id, anywhere in the document; true when one was.</summary>
    private static bool Scrub(JsonNode node, string userId)
    {
        var removed = false;
        switch (node)
        {
            case JsonArray array:
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text) && text == userId)
                    {
                        array.RemoveAt(i);
                        removed = true;
                    }
                    else if (array[i] is { } child)
                    {
                        removed |= Scrub(child, userId);
                    }
                }

                break;
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    removed |= child is not null && Scrub(child, userId);
                }

                break;
        }

        return removed;
    }
}
