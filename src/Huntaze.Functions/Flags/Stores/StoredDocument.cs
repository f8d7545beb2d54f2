using Huntaze.Functions.Flags.Documents;

namespace Huntaze.Functions.Flags.Stores;

/// <summary>
/// A flag document as stored under <see cref="Name"/> (the App Configuration key after the prefix, or the
/// table row key): its text exactly as stored, and either the flag read from it or why it cannot be read.
/// </summary>
public sealed record StoredDocument(
    string Name,
    string ETag,
    IReadOnlyDictionary<string, string> Tags,
    string Text,
    FeatureFlag? Flag,
    IReadOnlyList<string> Errors)
{
    public bool IsReadable => Flag is not null && Errors.Count == 0;

    /// <summary>The flag name the document claims: its <c>id</c> when that can be read at all, else its key.</summary>
    public string Id => Flag?.Id ?? FlagDocument.PeekId(Text) ?? Name;

    public StoredFlag? Readable => IsReadable ? new StoredFlag(Flag!, ETag, Tags) : null;

    public static StoredDocument Read(string name, string etag, IReadOnlyDictionary<string, string> tags, string text)
    {
        var parsed = FlagDocument.Parse(text);
        return new StoredDocument(name, etag, tags, text, parsed.Flag, parsed.Errors);
    }

    /// <summary>
    /// Documents whose ids clash (two App Configuration keys carrying one flag id) cannot say which is meant:
    /// each of them becomes unreadable, naming the others. The rest are returned as they are.
    /// </summary>
    public static IReadOnlyList<StoredDocument> MarkClashes(IEnumerable<StoredDocument> documents)
    {
        var all = documents.ToList();
        var clashing = all.GroupBy(d => d.Id, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .ToDictionary(g => g.Key, g => g.Select(d => d.Name).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        return all.Select(d => clashing.TryGetValue(d.Id, out var names)
                ? d with { Flag = null, Errors = [.. d.Errors, $"The flag id '{d.Id}' is carried by several keys ({string.Join(", ", names)}); none of them is used until one remains."] }
                : d)
            .ToList();
    }
}
