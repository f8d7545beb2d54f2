using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>
/// The whole flag set as published in <c>flags/snapshot.json</c>: every flag document plus the rollout tags,
/// a content hash (so the sync uploads only on change) and where it came from.
/// </summary>
public sealed record FlagSnapshot(
    IReadOnlyDictionary<string, StoredFlag> Flags,
    string Hash,
    string Source,
    DateTimeOffset PublishedAt)
{
    public const int Version = 1;

    public static FlagSnapshot Create(IEnumerable<StoredFlag> flags, string source, DateTimeOffset publishedAt)
    {
        var byName = flags.ToDictionary(f => f.Flag.Id, StringComparer.Ordinal);
        return new FlagSnapshot(byName, ComputeHash(byName.Values), source, publishedAt);
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
            ["publishedAt"] = PublishedAt,
            ["flags"] = new JsonArray(Flags.Values.OrderBy(f => f.Flag.Id, StringComparer.Ordinal).Select(f => (JsonNode)new JsonObject
            {
                ["document"] = JsonNode.Parse(FlagDocument.Serialize(f.Flag)),
                ["etag"] = f.ETag,
                ["tags"] = JsonSerializer.SerializeToNode(f.Tags),
            }).ToArray()),
        };
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <exception cref="FormatException">The blob is not a snapshot we can read.</exception>
    public static FlagSnapshot Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var root = JsonNode.Parse(utf8)!.AsObject();
            if (root["version"]!.GetValue<int>() != Version)
            {
                throw new FormatException("Unsupported snapshot version.");
            }

            var flags = new List<StoredFlag>();
            foreach (var item in root["flags"]!.AsArray())
            {
                var parsed = FlagDocument.Parse(item!["document"]!.ToJsonString());
                if (!parsed.IsValid)
                {
                    throw new FormatException($"The snapshot holds an invalid flag: {string.Join(" ", parsed.Errors)}");
                }

                var tags = item["tags"]?.Deserialize<Dictionary<string, string>>() ?? [];
                flags.Add(new StoredFlag(parsed.Flag!, item["etag"]?.GetValue<string>() ?? string.Empty, tags));
            }

            return Create(flags, root["source"]!.GetValue<string>(), root["publishedAt"]!.GetValue<DateTimeOffset>());
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or NullReferenceException or KeyNotFoundException)
        {
            throw new FormatException("The flag snapshot is malformed.", exception);
        }
    }

    /// <summary>Over the documents and tags only (not ETags or times), so a re-sync of identical flags hashes the same.</summary>
    private static string ComputeHash(IEnumerable<StoredFlag> flags)
    {
        var builder = new StringBuilder();
        foreach (var flag in flags.OrderBy(f => f.Flag.Id, StringComparer.Ordinal))
        {
            builder.Append(FlagDocument.Serialize(flag.Flag)).Append('\n');
            foreach (var tag in flag.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                builder.Append(tag.Key).Append('=').Append(tag.Value).Append('\n');
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}
