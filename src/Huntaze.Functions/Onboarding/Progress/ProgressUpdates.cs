using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security.RateLimiting;

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
/// 412 when the client's tag no longer matches, and a refusal answered with 409 or 412 is counted here as a conflict,
/// since a decision over a held guide may be made twice); after <see cref="IProgressStore.ConflictRounds"/> lost races the
/// change gives up with 503 and <c>Retry-After</c>, having written nothing.
/// </summary>
public static class ProgressUpdates
{
    public static Task<T> UpdateAsync<T>(this IProgressStore store, string userId, Func<ProgressSnapshot, ProgressDecision<T>> decide, CancellationToken cancellationToken) =>
        store.UpdateAsync(userId, null, decide, cancellationToken);

    /// <param name="budget">
    /// The request's rate-limit budget counted with the write (ADR 0007): charged on every round's read, 429 when
    /// spent, and committed with the decision's write. A request that writes nothing (a re-send) or is refused
    /// by its decision (a 412, a 409) still counts, in a transaction of the counter alone.
    /// </param>
    public static Task<T> UpdateAsync<T>(
        this IProgressStore store, string userId, WriteBudget? budget, Func<ProgressSnapshot, ProgressDecision<T>> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (budget is not null && budget.UserId != userId)
        {
            throw new InvalidOperationException($"The write budget {budget} can only be counted in its own user's guide.");
        }

        return RunAsync(
            store,
            userId,
            null,
            decide,
            budget,
            () => throw Problems.Unavailable("Too many simultaneous changes to this onboarding progress; retry shortly.", TimeSpan.FromSeconds(1)),
            cancellationToken);
    }

    /// <summary>
    /// The same loop for a caller that has already read the guide (migrations list it): <paramref name="firstRead"/>
    /// is used for the first round; <paramref name="exhausted"/> answers when every round lost.
    /// </summary>
    public static Task<T> UpdateAsync<T>(
        this IProgressStore store, ProgressSnapshot firstRead, Func<ProgressSnapshot, ProgressDecision<T>> decide, Func<T> exhausted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(firstRead);
        return RunAsync(store, firstRead.UserId, firstRead, decide, null, exhausted, cancellationToken);
    }

    /// <summary>
    /// The loop itself. A change of a guide this instance holds (<see cref="IProgressStore.TryGetHeld"/>, ADR 0019)
    /// first runs one round over it without reading; then: read, charge the budget, decide, commit (with the
    /// counter), re-read on conflict.
    /// </summary>
    private static async Task<T> RunAsync<T>(
        IProgressStore store,
        string userId,
        ProgressSnapshot? firstRead,
        Func<ProgressSnapshot, ProgressDecision<T>> decide,
        WriteBudget? budget,
        Func<T> exhausted,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decide);
        if (firstRead is null && store.TryGetHeld(userId, out var held))
        {
            try
            {
                var (done, result) = await RoundAsync(store, held, wasRead: false, decide, budget, cancellationToken).ConfigureAwait(false);
                if (done)
                {
                    return result!;
                }
            }
            catch (ProblemException)
            {
                // Refused over a guide that may be stale: decided again, and answered, over a fresh read below.
            }
        }

        var first = firstRead;
        for (var round = 0; round < store.ConflictRounds; round++)
        {
            var current = first ?? await store.ReadAsync(userId, cancellationToken).ConfigureAwait(false);
            first = null;
            var (done, result) = await RoundAsync(store, current, wasRead: true, decide, budget, cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return result!;
            }
        }

        return exhausted();
    }

    /// <summary>
    /// One round: charge the budget, decide over <paramref name="basis"/>, commit conditionally on its ETag. False when
    /// the commit lost a race. Over a guide read for this change (<paramref name="wasRead"/>) a decision that writes
    /// nothing stands and a refusal is counted before it is thrown; over a held guide only a commit that succeeds
    /// proves it current, so a decision that writes nothing is not trusted and a refusal is thrown uncounted (the
    /// round over a fresh read counts it, once).
    /// </summary>
    private static async Task<(bool Done, T? Result)> RoundAsync<T>(
        IProgressStore store, ProgressSnapshot basis, bool wasRead, Func<ProgressSnapshot, ProgressDecision<T>> decide, WriteBudget? budget, CancellationToken cancellationToken)
    {
        (string Policy, Stored<WindowCounter> Counter)? counted = budget is null ? null : Charged(budget, basis);
        ProgressDecision<T> decision;
        try
        {
            decision = decide(basis);
        }
        catch (ProblemException problem) when (wasRead)
        {
            if (problem.Type.Status is 409 or 412)
            {
                OnboardingMetrics.Conflict(problem.Type.Status);
            }

            // Refused requests spend the budget too, or an unlimited stream of 412s would cost a read each.
            if (counted is { } refused && !await CountRefusalAsync(store, basis, budget!, refused, cancellationToken).ConfigureAwait(false))
            {
                // Not counted after every round: answering the refusal uncounted could let a burst exceed
                // the limit; a 429 cannot, and is what the separate limiter answers a contended window.
                throw budget!.Refused();
            }

            throw;
        }

        var commit = (decision.Commit ?? new ProgressCommit(null, null)) with { Counted = counted };
        var committed = commit.IsEmpty
            ? wasRead
            : await store.CommitAsync(basis, commit, cancellationToken).ConfigureAwait(false) == CommitStatus.Committed;
        if (!committed)
        {
            return default;
        }

        if (counted is { } done)
        {
            budget!.Committed(done.Counter.Value);
        }

        return (true, decision.Result);
    }

    /// <summary>
    /// Counts a request its decision refused, in a write of the counter alone; a race re-reads the guide and counts
    /// again, and a budget spent meanwhile turns the refusal into a 429 (as a separate limiter would have).
    /// False when every round lost its race.
    /// </summary>
    private static async Task<bool> CountRefusalAsync(
        IProgressStore store, ProgressSnapshot read, WriteBudget budget, (string Policy, Stored<WindowCounter> Counter) counted, CancellationToken cancellationToken)
    {
        for (var round = 0; round < store.ConflictRounds; round++)
        {
            if (await store.CommitAsync(read, new ProgressCommit(null, null) { Counted = counted }, cancellationToken).ConfigureAwait(false) == CommitStatus.Committed)
            {
                budget.Committed(counted.Counter.Value);
                return true;
            }

            read = await store.ReadAsync(read.UserId, cancellationToken).ConfigureAwait(false);
            counted = Charged(budget, read);
        }

        return false;
    }

    /// <summary>The budget's counter after this request, to write over the one read.</summary>
    private static (string Policy, Stored<WindowCounter> Counter) Charged(WriteBudget budget, ProgressSnapshot read)
    {
        var stored = read.Counters.GetValueOrDefault(budget.Policy);
        return (budget.Policy, new Stored<WindowCounter>(budget.Charge(stored?.Value), stored?.ETag) { WriteIds = stored?.WriteIds });
    }
}
