using Huntaze.Functions.Onboarding.Catalog;

namespace Huntaze.Functions.Onboarding.Migrations;

/// <summary>POST /api/admin/onboarding/migrations body; <c>policy</c> defaults to the step's catalog policy.</summary>
public sealed record MigrationRequest(string? StepId, int? ToVersion, MigrationPolicy? Policy, bool? DryRun);

/// <summary>Running totals of a migration (also its custom status and output); <c>Restricted</c>: users skipped under an Art. 18 restriction.</summary>
public sealed record MigrationCounts(long Scanned, long Changed, long Unchanged, long Failed, long Restricted = 0)
{
    public static readonly MigrationCounts Zero = new(0, 0, 0, 0);

    public MigrationCounts Add(MigrationCounts other) =>
        new(Scanned + other.Scanned, Changed + other.Changed, Unchanged + other.Unchanged, Failed + other.Failed, Restricted + other.Restricted);
}

/// <summary>Orchestration input; carried across continue-as-new with the page token and the totals so far.</summary>
public sealed record MigrationInput(
    string StepId,
    int ToVersion,
    string Policy,
    bool DryRun,
    int UsersPerActivity,
    int PagesPerGeneration,
    string Actor,
    string CorrelationId,
    string? ContinuationToken,
    MigrationCounts Counts);

/// <summary>One activity's share: the users holding the step from <c>ContinuationToken</c> on, up to <c>MaxUsers</c>.</summary>
public sealed record MigrationPageInput(string StepId, int ToVersion, string Policy, bool DryRun, string? ContinuationToken, int MaxUsers);

public sealed record MigrationPageResult(MigrationCounts Counts, string? ContinuationToken);


public sealed record MigrationAuditInput(string MigrationId, MigrationInput Input, MigrationCounts Counts);

/// <summary>GET /api/admin/onboarding/migrations/{id}.</summary>
public sealed record MigrationStatusView(
    string Id,
    string State,
    string? StepId,
    int? ToVersion,
    string? Policy,
    bool? DryRun,
    long Scanned,
    long Changed,
    long Unchanged,
    long Failed,
    long Restricted,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string? Error);

/// <summary>What migrating one user did.</summary>
public enum MigrationOutcome
{
    Unchanged,
    Changed,
    Failed,

    /// <summary>Skipped: the user restricted processing (Art. 18).</summary>
    Restricted,
}

/// <summary>202 answer of POST /api/admin/onboarding/migrations: where to follow the migration.</summary>
public sealed record MigrationStarted(string Id, string StatusUrl, string StepId, int ToVersion, string Policy, bool DryRun);
