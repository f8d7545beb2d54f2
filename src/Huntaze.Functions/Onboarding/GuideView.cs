using System.Text.Json;
using System.Text.Json.Serialization;
using Huntaze.Functions.Onboarding.Progress;

namespace Huntaze.Functions.Onboarding;

/// <summary>The caller's guide (GET /api/onboarding).</summary>
public sealed record GuideView(
    bool Enabled,
    IReadOnlyList<StepView> Steps,
    ProgressSummary Progress,
    string? NextStepId,
    GuideStateView State);

/// <summary>
/// One step as the user sees it. <c>Version</c> is the revision of the user's progress on the step
/// (what <c>If-Match</c> and the body <c>version</c> refer to); <c>StepVersion</c> is the catalog
/// version the status was reached under and <c>LatestStepVersion</c> the catalog's current one.
/// </summary>
public sealed record StepView(
    string Id,
    string Title,
    string Description,
    StepStatus Status,
    int Version,
    int StepVersion,
    int LatestStepVersion,
    bool Required,
    int Weight,
    int Order,
    int EstimatedMinutes,
    IReadOnlyList<string> BlockedBy,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? UpdatedAt,
    JsonElement? Data,
    [property: JsonPropertyName("etag")] string ETag);

/// <summary>Weighted percent over required steps plus optional steps not skipped, and the plain counts.</summary>
public sealed record ProgressSummary(
    int Percent,
    int CompletedWeight,
    int TotalWeight,
    int Completed,
    int Total,
    int RequiredCompleted,
    int RequiredTotal,
    int Skipped);

public sealed record GuideStateView(
    bool Dismissed,
    DateTimeOffset? DismissedAt,
    bool Snoozed,
    DateTimeOffset? SnoozedUntil,
    bool Completed,
    DateTimeOffset? CompletedAt,
    int Version,
    [property: JsonPropertyName("etag")] string ETag);

/// <summary>GET /api/onboarding while onboarding is off for the caller (kill switch or flag).</summary>
public sealed record GuideDisabledView(bool Enabled, string Reason);
