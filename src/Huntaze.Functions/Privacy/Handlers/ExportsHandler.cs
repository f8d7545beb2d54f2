using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Privacy.Workflow;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>The subject's export archives (and unfinished parts), found under their request ids.</summary>
public sealed class ExportsHandler(RequestStore requests, ExportBlobs exports) : ISubjectDataHandler
{
    private const string Store = "blob:" + PrivacyStores.Exports;

    public string Key => "exports";

    public IReadOnlyList<string> Stores { get; } = [Store];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var id in await RequestIdsAsync(subject, cancellationToken).ConfigureAwait(false))
        {
            count += (await exports.ListAsync(id, cancellationToken).ConfigureAwait(false)).Count;
        }

        return [new(Store, count)];
    }

    /// <summary>Archives are copies of what the export already contains: not exported again.</summary>
    public Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoreData>>([]);

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var id in await RequestIdsAsync(subject, cancellationToken).ConfigureAwait(false))
        {
            deleted += await exports.DeleteAllAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return [new(Store, deleted)];
    }

    private async Task<IEnumerable<string>> RequestIdsAsync(Subject subject, CancellationToken cancellationToken) =>
        (await requests.ListForSubjectAsync(subject.Ref, cancellationToken).ConfigureAwait(false)).Select(r => r.Id).Where(id => id != subject.RequestId);
}
