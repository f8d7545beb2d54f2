using System.Text.Json;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Progress;

namespace Huntaze.Functions.Onboarding;

/// <summary>Pure computation of the guide from the catalog, the steps offered and the stored progress.</summary>
public static class GuideCalculator
{
    public static GuideView Build(IReadOnlyList<StepDefinition> offered, ProgressSnapshot progress, DateTimeOffset now)
    {
        var steps = offered.Select(step => ToView(step, progress.Step(step.Id).Value, BlockedBy(step, offered, progress), includeData: false)).ToList();
        var next = steps.FirstOrDefault(s => !IsDone(s.Status) && s.BlockedBy.Count == 0)?.Id;
        return new GuideView(true, steps, Summarize(offered, progress), next, ToView(progress.State.Value, now));
    }

    public static StepView ToView(StepDefinition step, StepProgress progress, IReadOnlyList<string> blockedBy, bool includeData) => new(
        step.Id,
        step.Title,
        step.Description,
        progress.Status,
        progress.Revision,
        progress.StepVersion,
        step.Version,
        step.Required,
        step.Weight,
        step.Order,
        step.EstimatedMinutes,
        blockedBy,
        progress.StartedAt,
        progress.CompletedAt,
        progress.UpdatedAt,
        includeData && progress.Data is { } data ? JsonSerializer.Deserialize<JsonElement>(data) : null,
        StepETag(progress.Revision));

    public static GuideStateView ToView(OnboardingState state, DateTimeOffset now) => new(
        state.DismissedAt is not null,
        state.DismissedAt,
        state.SnoozedUntil > now,
        state.SnoozedUntil > now ? state.SnoozedUntil : null,
        state.CompletedAt is not null,
        state.CompletedAt,
        state.Revision,
        StateETag(state.Revision));

    /// <summary>Offered prerequisites not yet satisfied: completed, or skipped when optional.</summary>
    public static IReadOnlyList<string> BlockedBy(StepDefinition step, IReadOnlyList<StepDefinition> offered, ProgressSnapshot progress)
    {
        // Loops, not LINQ: this runs for every offered step of every rendered guide.
        List<string>? blocking = null;
        foreach (var id in step.Prerequisites)
        {
            for (var i = 0; i < offered.Count; i++)
            {
                if (offered[i].Id == id)
                {
                    if (!Satisfies(offered[i], progress.StatusOf(id)))
                    {
                        (blocking ??= []).Add(id);
                    }

                    break;
                }
            }
        }

        return blocking ?? (IReadOnlyList<string>)[];
    }

    public static bool Satisfies(StepDefinition step, StepStatus status) =>
        status == StepStatus.Completed || (status == StepStatus.Skipped && !step.Required);

    public static bool IsDone(StepStatus status) => status is StepStatus.Completed or StepStatus.Skipped;

    /// <summary>Every offered required step is completed.</summary>
    public static bool AllRequiredCompleted(IReadOnlyList<StepDefinition> offered, Func<string, StepStatus> statusOf) =>
        offered.Where(s => s.Required).All(s => statusOf(s.Id) == StepStatus.Completed);

    public static ProgressSummary Summarize(IReadOnlyList<StepDefinition> offered, ProgressSnapshot progress)
    {
        var counted = offered.Where(s => s.Required || progress.StatusOf(s.Id) != StepStatus.Skipped).ToList();
        var completed = counted.Where(s => progress.StatusOf(s.Id) == StepStatus.Completed).ToList();
        var total = counted.Sum(s => s.Weight);
        var done = completed.Sum(s => s.Weight);
        var percent = total == 0 ? 100 : (int)Math.Floor(100.0 * done / total);
        return new ProgressSummary(
            percent,
            done,
            total,
            completed.Count,
            counted.Count,
            completed.Count(s => s.Required),
            offered.Count(s => s.Required),
            offered.Count(s => progress.StatusOf(s.Id) == StepStatus.Skipped));
    }

    public static string StepETag(int revision) => $"\"step-{revision}\"";

    public static string StateETag(int revision) => $"\"state-{revision}\"";
}
