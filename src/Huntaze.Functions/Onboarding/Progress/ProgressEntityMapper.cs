using Azure.Data.Tables;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>Maps the untyped entities of a partition query (steps and state mixed) to their typed forms.</summary>
internal static class ProgressEntityMapper
{
    public static StepProgressEntity ToStep(TableEntity e) => new()
    {
        PartitionKey = e.PartitionKey,
        RowKey = e.RowKey,
        Timestamp = e.Timestamp,
        ETag = e.ETag,
        Status = e.GetString(nameof(StepProgressEntity.Status)) ?? "",
        Revision = e.GetInt32(nameof(StepProgressEntity.Revision)) ?? 0,
        StepVersion = e.GetInt32(nameof(StepProgressEntity.StepVersion)) ?? 0,
        Data = e.GetString(nameof(StepProgressEntity.Data)),
        StartedAt = e.GetDateTimeOffset(nameof(StepProgressEntity.StartedAt)),
        CompletedAt = e.GetDateTimeOffset(nameof(StepProgressEntity.CompletedAt)),
        UpdatedAt = e.GetDateTimeOffset(nameof(StepProgressEntity.UpdatedAt)),
        WriteId = e.GetString(nameof(StepProgressEntity.WriteId)) ?? "",
        RequestKey = e.GetString(nameof(StepProgressEntity.RequestKey)),
    };

    public static OnboardingStateEntity ToState(TableEntity e) => new()
    {
        PartitionKey = e.PartitionKey,
        RowKey = e.RowKey,
        Timestamp = e.Timestamp,
        ETag = e.ETag,
        Revision = e.GetInt32(nameof(OnboardingStateEntity.Revision)) ?? 0,
        DismissedAt = e.GetDateTimeOffset(nameof(OnboardingStateEntity.DismissedAt)),
        SnoozedUntil = e.GetDateTimeOffset(nameof(OnboardingStateEntity.SnoozedUntil)),
        CompletedAt = e.GetDateTimeOffset(nameof(OnboardingStateEntity.CompletedAt)),
        UpdatedAt = e.GetDateTimeOffset(nameof(OnboardingStateEntity.UpdatedAt)),
        WriteId = e.GetString(nameof(OnboardingStateEntity.WriteId)) ?? "",
    };
}
