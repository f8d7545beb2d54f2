using Huntaze.Functions.Platform.Http;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>What a decision over the progress read wants: nothing written (and this result), or this commit.</summary>
public sealed record ProgressDecision<T>(T Result, ProgressCommit? Commit);

public static class ProgressDecision
{
    /// <summary>Nothing to write: the progress already is as asked (an idempotent answer).</summary>
    public static ProgressDecision<T> Unchanged<T>(T result) => new(result, null);

    public static ProgressDecision<T> Write<T>(ProgressCommit commit, T result) => new(result, commit);
}

/// <summary>
/// The optimistic-concurrency loop, written once: read, decide, commit conditionally; when another writer got in
/// between, read again and decide again. Decisions are pure over what was read (they may throw problems, e.g. a
/// 412 when the client's tag no longer matches); after <see cref="IProgressStore.ConflictRounds"/> lost races the
/// change gives up with 503 and <c>Retry-After</c>, having written nothing.
/// </summary>
public static class ProgressUpdates
{
    public static async Task<T> UpdateAsync<T>(this IProgressStore store, string userId, Func<ProgressSnapshot, ProgressDecision<T>> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(decide);
        return await RunAsync(
            store,
            ct => store.ReadAsync(userId, ct),
            decide,
            userId,
            () => throw Problems.Unavailable("Too many simultaneous changes to this onboarding progress; retry shortly.", TimeSpan.FromSeconds(1)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The same loop over one step (migrations, which touch a single entity): <paramref name="firstRead"/> is used for
    /// the first round when the caller has already read it; <paramref name="exhausted"/> answers when every round lost.
    /// </summary>
    public static async Task<T> UpdateStepAsync<T>(
        this IProgressStore store, string userId, string stepId, Stored<StepProgress>? firstRead,
        Func<Stored<StepProgress>?, ProgressDecision<T>> decide, Func<T> exhausted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var first = firstRead;
        return await RunAsync(
            store,
            async ct =>
            {
                var read = first ?? await store.ReadStepAsync(userId, stepId, ct).ConfigureAwait(false);
                first = null;
                return read;
            },
            decide,
            userId,
            exhausted,
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> RunAsync<TRead, T>(
        IProgressStore store, Func<CancellationToken, Task<TRead>> read, Func<TRead, ProgressDecision<T>> decide, string userId, Func<T> exhausted, CancellationToken cancellationToken)
    {
        for (var round = 0; round < store.ConflictRounds; round++)
        {
            var decision = decide(await read(cancellationToken).ConfigureAwait(false));
            if (decision.Commit is null ||
                await store.CommitAsync(userId, decision.Commit, cancellationToken).ConfigureAwait(false) == CommitStatus.Committed)
            {
                return decision.Result;
            }
        }

        return exhausted();
    }
}
