using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// A flag document the sync could not use (unreadable, or its id carried by several keys), published so that
/// every instance knows: the kill switch counts as active, any other flag serves <see cref="LastGood"/> (its
/// last readable version) or is off when none is known (docs/decisions/0008-flag-document-fidelity.md).
/// </summary>
public sealed record UnreadableFlag(string Key, string Id, string ETag, string Text, IReadOnlyList<string> Errors, StoredFlag? LastGood)
{
    public bool Names(string flag) => Id == flag || Key == flag;
}

/// <summary>
/// The whole flag set as published in <c>flags/snapshot.json</c>: every readable flag document with its rollout
/// tags, the documents that could not be used, a content hash (so the sync uploads only on change), where it
/// came from, and a generation that only grows along the chain of publishes (so no instance goes back).
/// </summary>
public sealed record FlagSnapshot(
    IReadOnlyDictionary<string, StoredFlag> Flags,
    IReadOnlyList<UnreadableFlag> Unreadable,
    string Hash,
    string Source,
    DateTimeOffset PublishedAt)
{
    /// <summary>2 adds <c>unreadable</c> and <c>generation</c>; version 1 blobs still read.</summary>
    public const int Version = 2;

    /// <summary>Strictly greater than the generation of the snapshot this one replaced (0 for a version 1 blob).</summary>
    public long Generation { get; init; }

    /// <summary>Readable flags only; with no clashes or unreadable documents (tests, benchmarks).</summary>
    public static FlagSnapshot Create(IEnumerable<StoredFlag> flags, string source, DateTimeOffset publishedAt)
    {
        var byName = flags.ToDictionary(f => f.Flag.Id, StringComparer.Ordinal);
        return new FlagSnapshot(byName, [], ComputeHash(byName.Values, []), source, publishedAt);
    }

    /// <summary>
    /// The set the source holds: clashing ids and unreadable documents are set aside (each with its last
    /// readable version from <paramref name="previous"/>), everything else is published.
    /// </summary>
    public static FlagSnapshot Create(IEnumerable<StoredDocument> documents, FlagSnapshot? previous, string source, DateTimeOffset publishedAt)
    {
        var flags = new Dictionary<string, StoredFlag>(StringComparer.Ordinal);
        var unreadable = new List<UnreadableFlag>();
        foreach (var document in StoredDocument.MarkClashes(documents).OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (document.Readable is { } readable)
            {
                flags[readable.Flag.Id] = readable;
            }
            else
            {
                var lastGood = previous is not null && previous.Flags.TryGetValue(document.Id, out var good) ? good : null;
                unreadable.Add(new UnreadableFlag(document.Name, document.Id, document.ETag, document.Text, document.Errors, lastGood));
            }
        }

        return FromParts(flags, unreadable, source, publishedAt);
    }

    public bool TryGet(string name, out FeatureFlag flag)
    {
        if (Flags.TryGetValue(name, out var stored))
        {
            flag = stored.Flag;
            return true;
        }

        flag = null!;
        return false;
    }

    public byte[] ToUtf8()
    {
        var root = new JsonObject
        {
            ["version"] = Version,
            ["source"] = Source,
            ["hash"] = Hash,
            ["generation"] = Generation,
            ["publishedAt"] = PublishedAt,
            ["flags"] = new JsonArray(Readable().Select(Entry).ToArray()),
            ["unreadable"] = new JsonArray(Unreadable.Select(u => (JsonNode)new JsonObject
            {
                ["key"] = u.Key,
                ["id"] = u.Id,
                ["etag"] = u.ETag,
                ["text"] = u.Text,
                ["reasons"] = new JsonArray(u.Errors.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
                ["lastGood"] = u.LastGood is null ? null : Entry(u.LastGood),
            }).ToArray()),
        };
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <exception cref="FormatException">The blob is not a snapshot we can read.</exception>
    public static FlagSnapshot Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var root = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = FlagDocument.MaxDepth + 8 })!.AsObject();
            if (root["version"]!.GetValue<int>() is not (1 or Version))
            {
                throw new FormatException("Unsupported snapshot version.");
            }

            var flags = new Dictionary<string, StoredFlag>(StringComparer.Ordinal);
            foreach (var item in root["flags"]!.AsArray())
            {
                var flag = ParseEntry(item!);
                flags[flag.Flag.Id] = flag;
            }

            var unreadable = (root["unreadable"]?.AsArray() ?? []).Select(u => new UnreadableFlag(
                u!["key"]!.GetValue<string>(),
                u["id"]!.GetValue<string>(),
                u["etag"]?.GetValue<string>() ?? string.Empty,
                u["text"]?.GetValue<string>() ?? string.Empty,
                u["reasons"]?.AsArray().Select(e => e!.GetValue<string>()).ToList() ?? [],
                u["lastGood"] is { } lastGood ? ParseEntry(lastGood) : null)).ToList();
            return FromParts(flags, unreadable, root["source"]!.GetValue<string>(), root["publishedAt"]!.GetValue<DateTimeOffset>())
                with { Generation = root["generation"]?.GetValue<long>() ?? 0 };
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or NullReferenceException or KeyNotFoundException)
        {
            throw new FormatException("The flag snapshot is malformed.", exception);
        }
    }

    /// <summary>The readable flags; the last-known-good versions standing in for unreadable documents are not among them.</summary>
    private IEnumerable<StoredFlag> Readable() =>
        Flags.Values.Where(f => !Unreadable.Any(u => ReferenceEquals(u.LastGood, f))).OrderBy(f => f.Flag.Id, StringComparer.Ordinal);

    private static FlagSnapshot FromParts(Dictionary<string, StoredFlag> readable, List<UnreadableFlag> unreadable, string source, DateTimeOffset publishedAt)
    {
        var hash = ComputeHash(readable.Values, unreadable);
        var served = new Dictionary<string, StoredFlag>(readable, StringComparer.Ordinal);
        foreach (var u in unreadable)
        {
            if (u.LastGood is { } lastGood)
            {
                served.TryAdd(u.Id, lastGood);
            }
        }

        return new FlagSnapshot(served, unreadable, hash, source, publishedAt);
    }

    private static JsonNode Entry(StoredFlag flag) => new JsonObject
    {
        ["document"] = JsonNode.Parse(FlagDocument.Serialize(flag.Flag), documentOptions: new JsonDocumentOptions { MaxDepth = FlagDocument.MaxDepth }),
        ["etag"] = flag.ETag,
        ["tags"] = JsonSerializer.SerializeToNode(flag.Tags),
    };

    private static StoredFlag ParseEntry(JsonNode item)
    {
        var parsed = FlagDocument.Parse(item["document"]!.ToJsonString());
        if (!parsed.IsValid)
        {
            throw new FormatException($"The snapshot holds an invalid flag: {string.Join(" ", parsed.Errors)}");
        }

        var tags = item["tags"]?.Deserialize<Dictionary<string, string>>() ?? [];
        return new StoredFlag(parsed.Flag!, item["etag"]?.GetValue<string>() ?? string.Empty, tags);
    }

    /// <summary>Over the documents and tags only (not ETags or times), so a re-sync of identical flags hashes the same.</summary>
    private static string ComputeHash(IEnumerable<StoredFlag> flags, IEnumerable<UnreadableFlag> unreadable)
    {
        var builder = new StringBuilder();
        foreach (var flag in flags.OrderBy(f => f.Flag.Id, StringComparer.Ordinal))
        {
            Append(builder, flag);
        }

        foreach (var u in unreadable.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            builder.Append("unreadable\n").Append(u.Key).Append('\n').Append(u.Id).Append('\n').Append(u.Text).Append('\n');
            foreach (var error in u.Errors)
            {
                builder.Append(error).Append('\n');
            }

            if (u.LastGood is { } lastGood)
            {
                Append(builder, lastGood);
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    private static void Append(StringBuilder builder, StoredFlag flag)
    {
        builder.Append(FlagDocument.Serialize(flag.Flag)).Append('\n');
        foreach (var tag in flag.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            builder.Append(tag.Key).Append('=').Append(tag.Value).Append('\n');
        }
    }
}
