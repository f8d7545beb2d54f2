using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Flags.Admin;

/// <summary>Who is acting, for the audit log.</summary>
public sealed record AdminActor(string UserId, string CorrelationId);

public sealed record KillSwitchReport(bool Active, string? Reason, DateTimeOffset? ObservedAt, bool Propagated);

/// <summary>
/// Flag changes by administrators: validated, audited with before/after (before the write: no entry, no
/// change), written to the source with the caller's ETag, then published to the snapshot at once (and applied on this instance) rather than waiting
/// for the next sync.
/// </summary>
public sealed partial class FlagAdminService(
    IFlagStore store,
    IFlagPublisher publisher,
    FlagState state,
    IKillSwitch killSwitch,
    IAuditLog audit,
    IOptions<FlagsOptions> options,
    TimeProvider time,
    ILogger<FlagAdminService> logger)
{
    public async Task<IReadOnlyList<StoredFlag>> ListAsync(CancellationToken cancellationToken) =>
        (await Unavailable(() => store.ListAsync(cancellationToken)).ConfigureAwait(false)).Flags.OrderBy(f => f.Flag.Id, StringComparer.Ordinal).ToList();

    public async Task<StoredFlag> GetAsync(string name, CancellationToken cancellationToken)
    {
        RequireValidName(name);
        return await Unavailable(() => store.GetAsync(name, cancellationToken)).ConfigureAwait(false)
            ?? throw Problems.NotFound($"No flag named '{name}'.");
    }

    /// <summary>Replaces the document. <paramref name="ifMatch"/> updates, <paramref name="createOnly"/> creates; one is required.</summary>
    public async Task<StoredFlag> PutAsync(string name, string document, string? ifMatch, bool createOnly, AdminActor actor, CancellationToken cancellationToken)
    {
        RequireValidName(name);
        var parsed = FlagDocument.Parse(document, name);
        if (!parsed.IsValid)
        {
            throw Problems.Validation(new Dictionary<string, string[]> { ["document"] = [.. parsed.Errors] });
        }

        var condition = Condition(ifMatch, createOnly);
        var before = condition.IfAbsent ? null : await Unavailable(() => store.GetAsync(name, cancellationToken)).ConfigureAwait(false);
        return await SaveAsync(before, parsed.Flag!, before?.Tags ?? new Dictionary<string, string>(), condition, "flags.put", actor, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredFlag> PatchAsync(string name, FlagPatchRequest patch, string? ifMatch, AdminActor actor, CancellationToken cancellationToken)
    {
        RequireValidName(name);
        if (FlagPatch.Validate(patch) is { Count: > 0 } errors)
        {
            throw Problems.Validation(errors);
        }

        var before = await Unavailable(() => store.GetAsync(name, cancellationToken)).ConfigureAwait(false);
        var condition = before is null ? FlagWriteCondition.Absent : FlagWriteCondition.Matching(ifMatch ?? before.ETag);
        var after = FlagPatch.Apply(before?.Flag ?? new FeatureFlag(name, false), patch);
        return await SaveAsync(before, after, before?.Tags ?? new Dictionary<string, string>(), condition, "flags.patch", actor, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredFlag> RolloutAsync(string name, string stage, bool force, AdminActor actor, CancellationToken cancellationToken)
    {
        if (RolloutPlan.IndexOf(stage) < 0)
        {
            throw Problems.Validation("stage", $"'stage' is '{stage}'; stages are {string.Join(", ", RolloutPlan.Stages)}.");
        }

        var before = await GetAsync(name, cancellationToken).ConfigureAwait(false);
        var current = RolloutPlan.Current(before.Tags);
        var now = time.GetUtcNow();
        var refusal = RolloutPlan.Check(current, stage, now);
        if (refusal is not null && !force)
        {
            throw Problems.RolloutTooEarly(refusal.Reason, current?.Stage, refusal.EarliestAt);
        }

        var after = RolloutPlan.Apply(before.Flag, stage, options.Value.EffectiveInternalGroups);
        var since = current?.Stage == stage ? current.Value.Since : now;
        var details = new Dictionary<string, string?>
        {
            ["fromStage"] = current?.Stage,
            ["toStage"] = stage,
            ["forced"] = (refusal is not null).ToString(),
            ["forceReason"] = refusal?.Reason,
        };
        return await SaveAsync(before, after, RolloutPlan.Tags(before.Tags, stage, since), FlagWriteCondition.Matching(before.ETag), "flags.rollout", actor, details, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Flips the kill switch (last writer wins: it is an emergency) and reports when this instance applied it.</summary>
    public async Task<KillSwitchReport> SetKillSwitchAsync(bool active, string? reason, AdminActor actor, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = await Unavailable(() => store.GetAsync(FeatureNames.KillSwitch, cancellationToken)).ConfigureAwait(false);
            var after = new FeatureFlag(FeatureNames.KillSwitch, active, active ? reason ?? "Switched off by an administrator." : reason);
            var condition = before is null ? FlagWriteCondition.Absent : FlagWriteCondition.Matching(before.ETag);
            try
            {
                await SaveAsync(before, after, before?.Tags ?? new Dictionary<string, string>(), condition, "flags.kill-switch", actor, null, cancellationToken).ConfigureAwait(false);
                var current = killSwitch.Current;
                return new KillSwitchReport(current.Active, current.Reason, current.ObservedAt, current.Active == active);
            }
            catch (ProblemException problem) when (problem.Type == ProblemTypes.PreconditionFailed && attempt < 3)
            {
                // Another writer changed the switch between our read and write: read again and write ours.
            }
        }
    }

    private async Task<StoredFlag> SaveAsync(
        StoredFlag? before, FeatureFlag after, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition,
        string action, AdminActor actor, IReadOnlyDictionary<string, string?>? extra, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>())
        {
            ["before"] = before is null ? null : FlagDocument.Serialize(before.Flag),
            ["after"] = FlagDocument.Serialize(after),
        };
        // Audited before it is written: no audit entry, no change (503).
        var saved = await audit.RecordChangeAsync(
            new AuditRecord(actor.UserId, action, "feature-flag:" + after.Id, AuditedChange.Accepted, actor.CorrelationId, details),
            async token =>
            {
                try
                {
                    return await Unavailable(() => store.SaveAsync(after, tags, condition, token)).ConfigureAwait(false);
                }
                catch (FlagConflictException)
                {
                    throw Problems.PreconditionFailed($"The flag '{after.Id}' has changed since it was read (or already exists); read it again.");
                }
            },
            cancellationToken).ConfigureAwait(false);
        await PropagateAsync(cancellationToken).ConfigureAwait(false);
        return saved;
    }

    /// <summary>Publishes and applies here at once; on failure the next sync (≤ 2 s) publishes it.</summary>
    private async Task PropagateAsync(CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = await publisher.PublishAfterWriteAsync(cancellationToken).ConfigureAwait(false);
            state.Apply(snapshot);
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or FlagStoreUnavailableException)
        {
            Log.PublishDeferred(logger, exception);
        }
    }

    private static FlagWriteCondition Condition(string? ifMatch, bool createOnly) =>
        ifMatch is not null ? FlagWriteCondition.Matching(ifMatch)
        : createOnly ? FlagWriteCondition.Absent
        : throw Problems.PreconditionRequired("Send If-Match with the ETag you read, or If-None-Match: * to create.");

    private static void RequireValidName(string name)
    {
        if (FlagDocument.ValidateName(name) is { } error)
        {
            throw Problems.Validation("name", error);
        }
    }

    private static async Task<T> Unavailable<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (FlagStoreUnavailableException)
        {
            throw Problems.DependencyUnavailable("The flag store is unavailable; flags keep serving from the last snapshot.", TimeSpan.FromSeconds(5));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5020, Level = LogLevel.Warning, Message = "Flag change saved but not yet published; the sync will publish it.")]
        public static partial void PublishDeferred(ILogger logger, Exception exception);
    }
}
