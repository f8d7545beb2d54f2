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

    /// <summary>
    /// Whether any store holds something of the subject. All stores are asked at once and the answer is the
    /// first store that does: the others are cancelled, so a known user costs the fastest store, not the slowest.
    /// </summary>
    public async Task<bool> HoldsAnyAsync(string userId, CancellationToken cancellationToken)
    {
        var subject = new Subject(userId, await references.OfAsync(userId, cancellationToken).ConfigureAwait(false));
        using var found = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = _handlers.Select(h => h.CountAsync(subject, found.Token)).ToList();
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(done);
                if ((await done.ConfigureAwait(false)).Any(c => c.Count > 0))
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            // The answer is known (or a store failed): the rest are cancelled and their outcome observed, not awaited.
            await found.CancelAsync().ConfigureAwait(false);
            foreach (var rest in pending)
            {
                _ = rest.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }
}
