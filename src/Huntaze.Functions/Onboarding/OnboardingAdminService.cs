using System.Text.Json;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Audit;
using Microsoft.Extensions.Options;

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
    TimeProvider time,
    IOptions<OnboardingOptions> options)
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

    /// <summary>Removes the user's progress (conditionally on what was read; re-read on conflict), audited before it takes effect.</summary>
    public async Task<ResetResult> ResetAsync(Caller actor, string userId, string correlationId, CancellationToken cancellationToken)
    {
        EnsureUserId(userId);
        var snapshot = await store.ReadAsync(userId, cancellationToken).ConfigureAwait(false);
        return await audit.RecordChangeAsync(
            new AuditRecord(actor.UserId, "onboarding.user.reset", $"user:{userId}", AuditedChange.Accepted, correlationId,
                new Dictionary<string, string?> { ["stepsFound"] = snapshot.Steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            async token =>
            {
                for (var round = 0; round < options.Value.ConflictRetries; round++)
                {
                    snapshot = round == 0 ? snapshot : await store.ReadAsync(userId, token).ConfigureAwait(false);
                    var result = await store.DeleteAsync(snapshot, token).ConfigureAwait(false);
                    if (result.Status == CommitStatus.Committed)
                    {
                        return new ResetResult(userId, snapshot.Steps.Count);
                    }
                }

                throw Problems.Unavailable("The user is changing their onboarding right now; retry shortly.", TimeSpan.FromSeconds(1));
            },
            cancellationToken).ConfigureAwait(false);
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
