namespace Huntaze.Functions.Backups.Restore;

/// <summary>The body of <c>POST /api/admin/backups/restore</c>: a backup date or a point in time, never both.</summary>
public sealed record RestoreRequest(string? Backup, DateTimeOffset? PointInTime, IReadOnlyList<string>? Tables, string? Target, bool? DryRun);

public static class RestoreTargets
{
    /// <summary>New tables (a prefix of their own) for inspection and comparison.</summary>
    public const string Side = "side";

    /// <summary>The live tables' content is replaced (evidence tables only ever gain rows).</summary>
    public const string Live = "live";
}

/// <summary>How one table is restored (ADR 0016).</summary>
public static class RestoreModes
{
    /// <summary>The target ends with exactly the backup's rows (plus the journal up to the point in time).</summary>
    public const string Replace = "replace";

    /// <summary>Rows missing from the target are added; nothing is overwritten or deleted (audit log, privacy state).</summary>
    public const string Additive = "additive";

    /// <summary>The flag documents, through the flag store in use (live) or into a side flag table.</summary>
    public const string FlagStore = "flags";
}

/// <summary>The orchestration's input; everything it needs is decided and validated before it starts.</summary>
public sealed record RestoreInput(
    string RestoreId,
    string Backup,
    DateTimeOffset? PointInTime,
    IReadOnlyList<string> Tables,
    string Target,
    bool DryRun,
    bool Drill,
    string SidePrefix,
    string Actor,
    string CorrelationId);

/// <summary>What the restore will do, after every file it reads has been checked; <see cref="Failure"/> stops it before any write.</summary>
public sealed record RestorePlan(IReadOnlyList<RestoreTableInput> Tables, DateTimeOffset DataAsOf, DateTimeOffset JournalFrom, string? Failure);

public sealed record RestoreTableInput(
    string RestoreId,
    string Backup,
    string Table,
    string Blob,
    long Rows,
    string ContentSha256,
    string Mode,
    string Target,
    string SidePrefix,
    bool DryRun,
    long RowsBefore);

/// <summary>Per table: rows in the backup, rows written, rows deleted (replace) and rows already there (additive).</summary>
public sealed record RestoreTableResult(string Table, long Rows, long Written, long Deleted, long Kept);

public sealed record JournalApplyInput(string RestoreId, string Table, string Mode, DateTimeOffset From, DateTimeOffset To, string Target, string SidePrefix, bool DryRun);

public sealed record JournalApplyResult(string Table, int Changes, int Entities);

public sealed record ReapplyInput(string Target, string SidePrefix, DateTimeOffset DataAsOf, bool DryRun);

public sealed record DrillCompareInput(RestorePlan Plan, string SidePrefix);

/// <summary>Shown while the restore runs (custom status).</summary>
public sealed record RestoreProgress(string Phase, int TablesDone, int TablesTotal, long RowsDone, long RowsTotal);

public sealed record RestoreOutcome(
    string Outcome,
    long RowsTotal,
    long RowsWritten,
    long RowsDeleted,
    IReadOnlyList<RestoreTableResult> Tables,
    int JournalChanges,
    int SubjectsErasedAgain,
    string? Failure);

public sealed record RestoreFinishInput(RestoreInput Input, RestoreOutcome Outcome, DateTimeOffset StartedAt);

/// <summary><c>GET /api/admin/backups/restores/{id}</c>.</summary>
public sealed record RestoreStatusView(
    string Id,
    string State,
    string? Backup,
    DateTimeOffset? PointInTime,
    string? Target,
    bool? DryRun,
    bool? Drill,
    IReadOnlyList<string>? Tables,
    string? SidePrefix,
    RestoreProgress? Progress,
    RestoreOutcome? Result,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string? Error);
