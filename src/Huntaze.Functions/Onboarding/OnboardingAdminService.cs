using System.Text.Json;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Audit;

namespace Huntaze.Functions.Onboarding;

/// <summary>Support's view of a user's stored progress (every step stored, offered or not).</summary>
public sealed record AdminUserProgress(string UserId, GuideStateView State, IReadOnlyList<AdminStepProgress> Steps);

public sealed record AdminStepProgress(
    string StepId,
    StepStatus Status,
    int Version,
    int StepVersion,
    int? LatestStepVersion,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? UpdatedAt,
    JsonElement? Data);

public sealed record ResetResult(string UserId, int StepsRemoved);

/// <summary>Admin and support operations on one user's onboarding; every change is audited.</summary>
public sealed partial class OnboardingAdminService(
    Catalog.StepCatalog catalog,
    IProgressStore store,
    IAuditLog audit,
    TimeProvider time)
{
    public async Task<AdminUserProgress> GetAsync(string userId, CancellationToken cancellationToken)
    {
        EnsureUserId(userId);
        var snapshot = await store.ReadAsync(userId, cancellationToken).ConfigureAwait(false);
        var steps = snapshot.Steps.Values
            .Select(s => s.Value)
            .OrderBy(s => catalog.FindStep(s.StepId)?.Order ?? int.MaxValue)
            .Select(s => new AdminStepProgress(
                s.StepId, s.Status, s.Revision, s.StepVersion, catalog.FindStep(s.StepId)?.Version, s.StartedAt, s.CompletedAt, s.UpdatedAt,
                s.Data is null ? null : JsonSerializer.Deserialize<JsonElement>(s.Data)))
            .ToList();
        return new AdminUserProgress(userId, GuideCalculator.ToView(snapshot.State.Value, time.GetUtcNow()), steps);
    }

    /// <summary>
    /// Removes the user's progress (conditionally on what was read; re-read on conflict), audited before it takes
    /// effect. The guide's state stays, raised past every revision the user had, so entity tags handed out before
    /// the reset never match afterwards (docs/api/onboarding.md#entity-tags).
    /// </summary>
    public async Task<ResetResult> ResetAsync(Caller actor, string userId, string correlationId, CancellationToken cancellationToken)
    {
        EnsureUserId(userId);
        // Read once for the entry: what the reset is about to remove (the update below reads again, as it must).
        var found = (await store.ReadAsync(userId, cancellationToken).ConfigureAwait(false)).Steps.Count;
        var now = time.GetUtcNow();
        var removed = await audit.RecordChangeAsync(
            new AuditRecord(actor.UserId, "onboarding.user.reset", $"user:{userId}", AuditedChange.Accepted, correlationId,
                new Dictionary<string, string?> { ["stepsFound"] = found.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            token => store.UpdateAsync(userId, snapshot => snapshot.Steps.Count == 0 && snapshot.State.ETag is null
                ? ProgressDecision.Unchanged(0)
                : ProgressDecision.Write(
                    new ProgressCommit(null, snapshot.State with { Value = OnboardingState.AfterReset(snapshot, now) }) { Removed = [.. snapshot.Steps.Values] },
                    snapshot.Steps.Count), token),
            cancellationToken).ConfigureAwait(false);
        return new ResetResult(userId, removed);
    }

    /// <summary>User ids are partition keys: the same rule as a token's subject (<see cref="UserIds"/>).</summary>
    public static void EnsureUserId(string userId)
    {
        if (!UserIds.IsValid(userId))
        {
            throw Problems.Validation("userId", "userId is not a valid user id.");
        }
    }
}
