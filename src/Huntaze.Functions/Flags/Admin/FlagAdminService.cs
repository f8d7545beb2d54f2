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
/// change), written to the source with the caller's ETag, then published to the snapshot at once (and applied
/// on this instance) rather than waiting for the next sync. Edits keep every member of the document they do not touch.
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
    /// <summary>Every document in the source, readable or not (clashing ids are marked unreadable, as the sync sees them).</summary>
    public async Task<IReadOnlyList<StoredDocument>> ListAsync(CancellationToken cancellationToken) =>
        StoredDocument.MarkClashes(await Unavailable(() => store.ListAsync(cancellationToken)).ConfigureAwait(false))
            .OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

    public async Task<StoredDocument> GetAsync(string name, CancellationToken cancellationToken)
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
        RequireMatch(name, before, ifMatch);
        return await SaveAsync(before, parsed.Flag!, before?.Tags ?? new Dictionary<string, string>(), condition, "flags.put", actor, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Edits the simple form; creates the flag when absent unless <paramref name="ifMatch"/> says it must exist.</summary>
    public async Task<StoredFlag> PatchAsync(string name, FlagPatchRequest patch, string? ifMatch, AdminActor actor, CancellationToken cancellationToken)
    {
        RequireValidName(name);
        if (FlagPatch.Validate(patch) is { Count: > 0 } errors)
        {
            throw Problems.Validation(errors);
        }

        var before = await Unavailable(() => store.GetAsync(name, cancellationToken)).ConfigureAwait(false);
        RequireMatch(name, before, ifMatch);
        var condition = before is null ? FlagWriteCondition.Absent : FlagWriteCondition.Matching(ifMatch ?? before.ETag);
        var after = FlagPatch.Apply(Readable(before)?.Flag ?? new FeatureFlag(name, false), patch);
        return await SaveAsync(before, after, before?.Tags ?? new Dictionary<string, string>(), condition, "flags.patch", actor, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredFlag> RolloutAsync(string name, string stage, bool force, AdminActor actor, CancellationToken cancellationToken)
    {
        if (RolloutPlan.IndexOf(stage) < 0)
        {
            throw Problems.Validation("stage", $"'stage' is '{stage}'; stages are {string.Join(", ", RolloutPlan.Stages)}.");
        }

        var document = await GetAsync(name, cancellationToken).ConfigureAwait(false);
        var before = Readable(document)!;
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
        return await SaveAsync(document, after, RolloutPlan.Tags(before.Tags, stage, since), FlagWriteCondition.Matching(before.ETag), "flags.rollout", actor, details, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Flips the kill switch (last writer wins: it is an emergency) against whatever is stored: a readable
    /// document keeps its other members, an unreadable one is replaced (its text stays in the audit entry),
    /// each written with the stored document's own ETag. Reports when this instance applied it.
    /// </summary>
    public async Task<KillSwitchReport> SetKillSwitchAsync(bool active, string? reason, AdminActor actor, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = await Unavailable(() => store.GetAsync(FeatureNames.KillSwitch, cancellationToken)).ConfigureAwait(false);
            var description = active ? reason ?? "Switched off by an administrator." : reason;
            var after = before?.Readable is { } readable
                ? readable.Flag with { Enabled = active, Description = description }
                : new FeatureFlag(FeatureNames.KillSwitch, active, description);
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
        StoredDocument? before, FeatureFlag after, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition,
        string action, AdminActor actor, IReadOnlyDictionary<string, string?>? extra, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>())
        {
            ["before"] = before?.Text,
            ["after"] = FlagDocument.Serialize(after),
        };
        // Targeting lists name users: the audit log stores those ids protected (erasable).
        string[] named = [.. new[] { before?.Flag, after }.SelectMany(f => f?.Targeting is { } a ? a.Users.Concat(a.ExcludedUsers) : [])];
        // Audited before it is written: no audit entry, no change (503).
        var saved = await audit.RecordChangeAsync(
            new AuditRecord(actor.UserId, action, "feature-flag:" + after.Id, AuditedChange.Accepted, actor.CorrelationId, details, named),
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
                catch (FlagTooLargeException exception)
                {
                    throw Problems.Validation("document", exception.Message);
                }
            },
            cancellationToken).ConfigureAwait(false);
        await PropagateAsync(cancellationToken).ConfigureAwait(false);
        return saved;
    }

    /// <summary>
    /// Publishes and applies here at once. Only a snapshot that is the published one is applied: a write that
    /// lost every publish race is left to the next sync (≤ 2 s), never served here unpublished.
    /// </summary>
    private async Task PropagateAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await publisher.PublishAfterWriteAsync(cancellationToken).ConfigureAwait(false) is { } snapshot)
            {
                state.Apply(snapshot);
            }
            else
            {
                Log.PublishLostRaces(logger, SnapshotPublisher.AttemptsAfterWrite);
            }
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or FlagStoreUnavailableException or AggregateException)
        {
            Log.PublishDeferred(logger, exception);
        }
    }

    /// <summary>An <c>If-Match</c> must name the stored document: absent, or another ETag (including one not ours), is a 412.</summary>
    private static void RequireMatch(string name, StoredDocument? current, string? ifMatch)
    {
        if (ifMatch is null)
        {
            return;
        }

        if (current is null)
        {
            throw Problems.PreconditionFailed($"No flag named '{name}' exists, so If-Match cannot match; send If-None-Match: * to create it.");
        }

        if (HttpETag.Format(current.ETag) != HttpETag.Format(ifMatch))
        {
            throw Problems.PreconditionFailed($"The flag '{name}' has changed since it was read (its ETag is not the one sent); read it again.");
        }
    }

    /// <summary>The flag of a readable document; editing an unreadable one piecemeal would guess, so it needs a whole PUT.</summary>
    private static StoredFlag? Readable(StoredDocument? document) =>
        document is null ? null
        : document.Readable ?? throw Problems.Conflict(
            $"The stored document of '{document.Name}' cannot be read ({string.Join(" ", document.Errors)}); replace it with PUT and If-Match.");

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

        [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Flag change saved but lost {Attempts} publish races; the sync will publish it (not applied here before then).")]
        public static partial void PublishLostRaces(ILogger logger, int attempts);
    }
}
