using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>Onboarding progress: the user's partition, through the progress store (ETag-conditional delete).</summary>
public sealed class ProgressHandler(IProgressStore store, IOptions<OnboardingOptions> options) : ISubjectDataHandler
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

        return [new(HuntazeDataMap.OnboardingProgress, items)];
    }

    /// <summary>Deletes what was read, conditionally; a user writing meanwhile makes it read and delete again.</summary>
    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        for (var round = 0; round < options.Value.ConflictRetries; round++)
        {
            var snapshot = await store.ReadAsync(subject.UserId, cancellationToken).ConfigureAwait(false);
            var count = Count(snapshot);
            if (count == 0 || await store.DeleteAsync(snapshot, cancellationToken).ConfigureAwait(false) == CommitStatus.Committed)
            {
                return [new(HuntazeDataMap.OnboardingProgress, count)];
            }
        }

        throw Problems.Unavailable("The subject's onboarding kept changing during erasure; the workflow retries.", TimeSpan.FromSeconds(1));
    }

    private static int Count(ProgressSnapshot snapshot) => snapshot.Steps.Count + (snapshot.State.ETag is null ? 0 : 1);
}
