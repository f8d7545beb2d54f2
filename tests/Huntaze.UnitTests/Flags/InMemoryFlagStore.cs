using System.Globalization;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;

namespace Huntaze.UnitTests.Flags;

/// <summary>A flag store with the real stores' ETag semantics, for service tests.</summary>
internal sealed class InMemoryFlagStore : IFlagStore
{
    private readonly Dictionary<string, StoredFlag> _flags = new(StringComparer.Ordinal);
    private int _version;

    public string Kind => "memory";

    public Task<FlagListing> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new FlagListing(_flags.Values.ToList(), []));

    public Task<StoredFlag?> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_flags.GetValueOrDefault(name));

    public Task<StoredFlag> SaveAsync(FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken)
    {
        var current = _flags.GetValueOrDefault(flag.Id);
        if ((condition.IfAbsent && current is not null) || (condition.IfMatch is not null && current?.ETag != condition.IfMatch))
        {
            throw new FlagConflictException();
        }

        var stored = new StoredFlag(flag, "v" + (++_version).ToString(CultureInfo.InvariantCulture), new Dictionary<string, string>(tags));
        _flags[flag.Id] = stored;
        return Task.FromResult(stored);
    }
}
