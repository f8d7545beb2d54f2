using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Privacy.Subjects;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>Counts a subject's data in every store at once (the erasure preview; whether a user id is known).</summary>
public sealed class SubjectScanner(IEnumerable<ISubjectDataHandler> handlers, SubjectReferences references, DataMap map)
{
    private readonly ISubjectDataHandler[] _handlers = [.. handlers];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(string userId, CancellationToken cancellationToken)
    {
        var subject = new Subject(userId, await references.OfAsync(userId, cancellationToken).ConfigureAwait(false));
        var counts = await Task.WhenAll(_handlers.Select(h => h.CountAsync(subject, cancellationToken))).ConfigureAwait(false);
        return [.. counts.SelectMany(c => c).OrderBy(c => map.Stores.ToList().FindIndex(s => s.Key == c.Store))];
    }
}
