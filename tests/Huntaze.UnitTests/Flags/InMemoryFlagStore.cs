using System.Globalization;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;

namespace Huntaze.UnitTests.Flags;

/// <summary>A flag store with the real stores' ETag semantics, for service tests; <see cref="Seed"/> stores any text as is.</summary>
internal sealed class InMemoryFlagStore : IFlagStore
{
    private readonly Dictionary<string, StoredDocument> _documents = new(StringComparer.Ordinal);
    private int _version;

    public string Kind => "memory";

    public int Writes { get; private set; }

    public Task<IReadOnlyList<StoredDocument>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredDocument>>(_documents.Values.ToList());

    public Task<StoredDocument?> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_documents.GetValueOrDefault(name));

    /// <summary>What an operator writing straight into the store does: no validation.</summary>
    public StoredDocument Seed(string name, string text, IReadOnlyDictionary<string, string>? tags = null)
    {
        var document = StoredDocument.Read(name, NextETag(), tags ?? new Dictionary<string, string>(), text);
        _documents[name] = document;
        return document;
    }

    public Task<StoredFlag> SaveAsync(FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken)
    {
        var current = _documents.GetValueOrDefault(flag.Id);
        if ((condition.IfAbsent && current is not null) || (condition.IfMatch is not null && current?.ETag != condition.IfMatch))
        {
            throw new FlagConflictException();
        }

        Writes++;
        var stored = Seed(flag.Id, FlagDocument.Serialize(flag), new Dictionary<string, string>(tags));
        return Task.FromResult(stored.Readable!);
    }

    private string NextETag() => "v" + (++_version).ToString(CultureInfo.InvariantCulture);
}
