using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// The entities of a user's partition: one per step (<c>step:{id}</c>) and one state entity (<c>state</c>).
/// Every write carries the batch's write id (<see cref="Platform.Storage.TableWriteBatch.WriteIdProperty"/>),
/// ahead of the ones the entity was read with (<see cref="Stored{T}.WriteIds"/>).
/// </summary>
internal static class ProgressEntities
{
    public const string State = "state";
    public const string StepPrefix = "step:";
    public const string CounterPrefix = "ratelimit:";

    public static string StepKey(string stepId) => StepPrefix + stepId;

    public static TableEntity From(string userId, StepProgress step) => new(userId, StepKey(step.StepId))
    {
        ["Status"] = step.Status.ToString(),
        ["Revision"] = step.Revision,
        ["StepVersion"] = step.StepVersion,
        ["Data"] = step.Data,
        ["StartedAt"] = step.StartedAt,
        ["CompletedAt"] = step.CompletedAt,
        ["UpdatedAt"] = step.UpdatedAt,
        ["RequestKey"] = step.RequestKey,
    };

    public static TableEntity From(string userId, OnboardingState state) => new(userId, State)
    {
        ["Revision"] = state.Revision,
        ["DismissedAt"] = state.DismissedAt,
        ["SnoozedUntil"] = state.SnoozedUntil,
        ["CompletedAt"] = state.CompletedAt,
        ["UpdatedAt"] = state.UpdatedAt,
        ["StepRevisionFloor"] = state.StepRevisionFloor,
    };

    public static TableEntity From(string userId, string rowKey, WindowCounter counter) => new(userId, rowKey)
    {
        ["Window"] = counter.Window,
        ["Count"] = counter.Count,
    };

    public static bool IsStep(TableEntity entity) => entity.RowKey.StartsWith(StepPrefix, StringComparison.Ordinal);

    public static bool IsCounter(TableEntity entity) => entity.RowKey.StartsWith(CounterPrefix, StringComparison.Ordinal);

    public static Stored<WindowCounter> ToCounter(TableEntity e) =>
        new(new WindowCounter(e.GetInt64("Window") ?? -1, e.GetInt32("Count") ?? 0), e.ETag) { WriteIds = TableWriteBatch.WriteIdsOf(e) };

    public static Stored<StepProgress> ToStep(TableEntity e) => new(
        new StepProgress(
            e.RowKey[StepPrefix.Length..],
            Enum.TryParse<StepStatus>(e.GetString("Status"), out var status) ? status : StepStatus.NeedsReview,
            e.GetInt32("Revision") ?? 0,
            e.GetInt32("StepVersion") ?? 0,
            e.GetString("Data"),
            e.GetDateTimeOffset("StartedAt"),
            e.GetDateTimeOffset("CompletedAt"),
            e.GetDateTimeOffset("UpdatedAt"),
            e.GetString("RequestKey")),
        e.ETag) { WriteIds = TableWriteBatch.WriteIdsOf(e) };

    public static Stored<OnboardingState> ToState(TableEntity e) => new(
        new OnboardingState(
            e.GetInt32("Revision") ?? 0,
            e.GetDateTimeOffset("DismissedAt"),
            e.GetDateTimeOffset("SnoozedUntil"),
            e.GetDateTimeOffset("CompletedAt"),
            e.GetDateTimeOffset("UpdatedAt"),
            e.GetInt32("StepRevisionFloor") ?? 0),
        e.ETag) { WriteIds = TableWriteBatch.WriteIdsOf(e) };
}
