using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>Onboarding progress: the user's partition, through the progress store (ETag-conditional delete).</summary>
public sealed class ProgressHandler(IProgressStore store) : ISubjectDataHandler
{
    public string Key => "progress";

    public IReadOnlyList<string> Stores { get; } = [HuntazeDataMap.OnboardingProgress];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(HuntazeDataMap.OnboardingProgress, Count(await store.ReadAsync(subject.UserId, cancellationToken).ConfigureAwait(false)))];

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken)
    {
        var snapshot = await store.ReadAsync(subject.UserId, cancellationToken).ConfigureAwait(false);
        var items = new List<JsonObject>();
        if (snapshot.State.ETag is not null)
        {
            var state = snapshot.State.Value;
            items.Add(new JsonObject
            {
                ["kind"] = "guide",
                ["dismissedAt"] = state.DismissedAt,
                ["snoozedUntil"] = state.SnoozedUntil,
                ["completedAt"] = state.CompletedAt,
                ["updatedAt"] = state.UpdatedAt,
            });
        }

        foreach (var step in snapshot.Steps.Values.Select(s => s.Value).OrderBy(s => s.StepId, StringComparer.Ordinal))
        {
            items.Add(new JsonObject
            {
                ["kind"] = "step",
                ["stepId"] = step.StepId,
                ["status"] = RequestStore.Snake(step.Status),
                ["stepVersion"] = step.StepVersion,
                ["data"] = step.Data is null ? null : JsonNode.Parse(step.Data),
                ["startedAt"] = step.StartedAt,
                ["completedAt"] = step.CompletedAt,
                ["updatedAt"] = step.UpdatedAt,
            });
        }

        foreach (var (policy, counter) in snapshot.Counters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            items.Add(new JsonObject
            {
                ["kind"] = "write_counter",
                ["policy"] = policy,
                ["window"] = counter.Value.Window,
                ["count"] = counter.Value.Count,
            });
        }

        return [new(HuntazeDataMap.OnboardingProgress, items)];
    }

    /// <summary>Deletes the partition as read, conditionally; a user writing meanwhile makes it read and delete again.</summary>
    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(HuntazeDataMap.OnboardingProgress, await store.UpdateAsync(subject.UserId, Remove, cancellationToken).ConfigureAwait(false))];

    /// <summary>The whole partition (state, steps, write counters), each entity only if unchanged since read; nothing when it is empty.</summary>
    internal static ProgressDecision<int> Remove(ProgressSnapshot snapshot) =>
        Count(snapshot) == 0
            ? ProgressDecision.Unchanged(0)
            : ProgressDecision.Write(new ProgressCommit(null, null) { Removed = [.. snapshot.Steps.Values], RemovedState = snapshot.State.ETag, RemovedCounters = snapshot.Counters }, Count(snapshot));

    private static int Count(ProgressSnapshot snapshot) => snapshot.Steps.Count + (snapshot.State.ETag is null ? 0 : 1) + snapshot.Counters.Count;
}
