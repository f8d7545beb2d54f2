using Azure;
using Azure.Data.Tables;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>Row keys inside a user's partition.</summary>
internal static class ProgressKeys
{
    public const string State = "state";
    public const string StepPrefix = "step:";

    public static string Step(string stepId) => StepPrefix + stepId;
}

/// <summary>One step of one user. <see cref="WriteId"/> tells a retried write its own commit apart from another writer's.</summary>
internal sealed class StepProgressEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Status { get; set; } = "";

    public int Revision { get; set; }

    public int StepVersion { get; set; }

    public string? Data { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public string WriteId { get; set; } = "";

    public string? RequestKey { get; set; }

    public static StepProgressEntity From(string userId, StepProgress step, string writeId) => new()
    {
        PartitionKey = userId,
        RowKey = ProgressKeys.Step(step.StepId),
        Status = step.Status.ToString(),
        Revision = step.Revision,
        StepVersion = step.StepVersion,
        Data = step.Data,
        StartedAt = step.StartedAt,
        CompletedAt = step.CompletedAt,
        UpdatedAt = step.UpdatedAt,
        WriteId = writeId,
        RequestKey = step.RequestKey,
    };

    public Stored<StepProgress> ToStored() => new(
        new StepProgress(
            RowKey[ProgressKeys.StepPrefix.Length..],
            Enum.TryParse<StepStatus>(Status, out var status) ? status : StepStatus.NeedsReview,
            Revision,
            StepVersion,
            Data,
            StartedAt,
            CompletedAt,
            UpdatedAt,
            RequestKey),
        ETag);
}

/// <summary>The onboarding state of one user.</summary>
internal sealed class OnboardingStateEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = ProgressKeys.State;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int Revision { get; set; }

    public DateTimeOffset? DismissedAt { get; set; }

    public DateTimeOffset? SnoozedUntil { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>Changes on every write (each step write also touches the state, see OnboardingService).</summary>
    public string WriteId { get; set; } = "";

    public static OnboardingStateEntity From(string userId, OnboardingState state, string writeId) => new()
    {
        PartitionKey = userId,
        Revision = state.Revision,
        DismissedAt = state.DismissedAt,
        SnoozedUntil = state.SnoozedUntil,
        CompletedAt = state.CompletedAt,
        UpdatedAt = state.UpdatedAt,
        WriteId = writeId,
    };

    public Stored<OnboardingState> ToStored() =>
        new(new OnboardingState(Revision, DismissedAt, SnoozedUntil, CompletedAt, UpdatedAt), ETag);
}
