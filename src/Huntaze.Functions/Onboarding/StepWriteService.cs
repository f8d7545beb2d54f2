using System.Text.Json;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.Functions.Onboarding;

/// <summary>
/// PATCH of one step. Every step write replaces the user's whole guide on the ETag it read (ADR 0018), so
/// writes to different steps serialize on it and "all required steps completed" is decided exactly once;
/// when something else in the guide moved, the store's loop re-reads and decides again, invisibly.
/// </summary>
public sealed class StepWriteService(
    OnboardingAccess access,
    IProgressStore store,
    IOnboardingEventPublisher events,
    TimeProvider time)
{
    /// <param name="idempotencyKey">The client's Idempotency-Key: a re-send with the same key and change is a 200 that writes nothing.</param>
    /// <param name="budget">The caller's <c>step-writes</c> budget, counted in the same transaction as the write (ADR 0007).</param>
    public async Task<StepView> PatchAsync(
        Caller caller, string stepId, StepPatchRequest patch, Precondition precondition, string? idempotencyKey, WriteBudget? budget, CancellationToken cancellationToken)
    {
        await access.EnsureWritableAsync(caller, cancellationToken).ConfigureAwait(false);
        var offered = await access.OfferedAsync(caller, cancellationToken).ConfigureAwait(false);
        var step = OnboardingAccess.OfferedStep(offered, stepId);
        var data = patch.ValidatedData();
        if (patch.Status == StepStatus.NeedsReview)
        {
            throw Problems.Validation("status", "needs_review is set by step migrations only.");
        }

        var now = time.GetUtcNow();
        var outcome = await store.UpdateAsync(caller.UserId, budget, snapshot => Decide(step, offered, snapshot, patch.Status, data, precondition, idempotencyKey, now), cancellationToken).ConfigureAwait(false);
        if (outcome.Written is { } written)
        {
            await PublishAsync(caller.UserId, written.Before, written.Next, written.CompletesOnboarding, now, cancellationToken).ConfigureAwait(false);
        }

        return outcome.View;
    }

    /// <summary>What a PATCH does to the progress read: nothing (a re-send), a problem, or the step and state to commit.</summary>
    private static ProgressDecision<PatchOutcome> Decide(
        StepDefinition step, IReadOnlyList<StepDefinition> offered, ProgressSnapshot snapshot, StepStatus? requested, string? data,
        Precondition precondition, string? idempotencyKey, DateTimeOffset now)
    {
        var current = snapshot.Step(step.Id);
        var blockedBy = GuideCalculator.BlockedBy(step, offered, snapshot);
        // Equal content alone is no proof of a re-send: another writer may have made the same change
        // from the same stale read (a lost update if answered 200). The key or a current tag is.
        if (IsSameChange(current.Value, requested, data) &&
            (precondition.Matches(GuideCalculator.StepETag(current.Value.Revision), current.Value.Revision) ||
             (idempotencyKey is not null && idempotencyKey == current.Value.RequestKey)))
        {
            return ProgressDecision.Unchanged(new PatchOutcome(GuideCalculator.ToView(step, current.Value, blockedBy, includeData: true), null));
        }

        EnsurePrecondition(step, current.Value, blockedBy, precondition);
        var status = requested ?? current.Value.Status;
        EnsureTransition(step, current.Value.Status, status, blockedBy);

        var next = Next(step, current.Value, status, data, now) with { RequestKey = idempotencyKey };
        var state = snapshot.State.Value;
        var completesOnboarding = state.CompletedAt is null &&
            GuideCalculator.AllRequiredCompleted(offered, id => id == step.Id ? status : snapshot.StatusOf(id));
        // The state changes only when this write completes the guide; the guide is replaced as a whole either way,
        // so writes to different steps serialize on it and completion is decided exactly once.
        var commit = new ProgressCommit(
            current with { Value = next },
            completesOnboarding ? snapshot.State with { Value = state with { CompletedAt = now, UpdatedAt = now, Revision = state.Revision + 1 } } : null);
        return ProgressDecision.Write(commit, new PatchOutcome(
            GuideCalculator.ToView(step, next, blockedBy, includeData: true),
            new WrittenStep(current.Value.Status, next, completesOnboarding)));
    }

    private static bool IsSameChange(StepProgress current, StepStatus? status, string? data) =>
        (status is null || status == current.Status) &&
        (data is null || (current.Data is not null && JsonElement.DeepEquals(JsonSerializer.Deserialize<JsonElement>(data), JsonSerializer.Deserialize<JsonElement>(current.Data))));

    private static void EnsurePrecondition(StepDefinition step, StepProgress current, IReadOnlyList<string> blockedBy, Precondition precondition)
    {
        var etag = GuideCalculator.StepETag(current.Revision);
        if (precondition.Matches(etag, current.Revision))
        {
            return;
        }

        var representation = GuideCalculator.ToView(step, current, blockedBy, includeData: true);
        if (precondition.ViaHeader)
        {
            throw Problems.PreconditionFailed("The step has changed since you read it; the current step and its ETag are included.", representation, etag);
        }

        throw Problems.OptimisticLockConflict("step", precondition.BodyVersion, current.Revision, representation, etag);
    }

    private static void EnsureTransition(StepDefinition step, StepStatus from, StepStatus status, IReadOnlyList<string> blockedBy)
    {
        if (status == StepStatus.Skipped && step.Required)
        {
            throw Problems.StepBlocked($"'{step.Id}' is required and cannot be skipped.", "STEP_REQUIRED", step.Id, []);
        }

        // Only entering completed is checked: answers saved on a step already completed stay allowed.
        if (status == StepStatus.Completed && from != StepStatus.Completed && blockedBy.Count > 0)
        {
            throw Problems.StepBlocked($"Complete {string.Join(", ", blockedBy)} first.", "PREREQUISITES_INCOMPLETE", step.Id, blockedBy);
        }
    }

    private static StepProgress Next(StepDefinition step, StepProgress current, StepStatus status, string? data, DateTimeOffset now) => current with
    {
        Status = status,
        Revision = current.Revision + 1,
        StepVersion = step.Version,
        Data = data ?? current.Data,
        StartedAt = current.StartedAt ?? (status is StepStatus.InProgress or StepStatus.Completed ? now : null),
        CompletedAt = status == StepStatus.Completed ? (current.Status == StepStatus.Completed ? current.CompletedAt : now) : null,
        UpdatedAt = now,
    };

    private async Task PublishAsync(string userId, StepStatus before, StepProgress next, bool completesOnboarding, DateTimeOffset now, CancellationToken cancellationToken)
    {
        OnboardingEventKind? kind = next.Status == before ? null : next.Status switch
        {
            StepStatus.InProgress => OnboardingEventKind.StepStarted,
            StepStatus.Completed => OnboardingEventKind.StepCompleted,
            StepStatus.Skipped => OnboardingEventKind.StepSkipped,
            _ => null,
        };
        if (kind is { } k)
        {
            await events.PublishAsync(new OnboardingEvent(k, userId, next.StepId, now), cancellationToken).ConfigureAwait(false);
        }

        if (kind == OnboardingEventKind.StepCompleted)
        {
            OnboardingMetrics.StepCompleted(next.StepId);
        }

        if (completesOnboarding)
        {
            OnboardingMetrics.Completed();
            await events.PublishAsync(new OnboardingEvent(OnboardingEventKind.OnboardingCompleted, userId, null, now), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>A PATCH's answer, and what it wrote (null for a re-send), for the events published after the commit.</summary>
internal sealed record PatchOutcome(StepView View, WrittenStep? Written);

internal sealed record WrittenStep(StepStatus Before, StepProgress Next, bool CompletesOnboarding);
