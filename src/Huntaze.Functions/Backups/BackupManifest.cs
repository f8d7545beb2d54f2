namespace Huntaze.Functions.Backups;

/// <summary>
/// <c>backups/{date}/manifest.json</c>: what one backup holds and whether it was verified. Written after
/// every file (a backup without a completed manifest does not exist for restores), then rewritten with
/// its verification, conditionally on the ETag read.
/// </summary>
public sealed record BackupManifest(
    int SchemaVersion,
    string Date,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    string AppVersion,
    string FlagStore,
    IReadOnlyList<BackupFile> Files,
    BackupVerification? Verification)
{
    public const int CurrentSchemaVersion = 1;

    public bool Verified => Verification is { Passed: true };

    public long Rows => Files.Sum(f => f.Rows);

    public long Bytes => Files.Sum(f => f.Bytes);

    public BackupFile? File(string table) => Files.FirstOrDefault(f => string.Equals(f.Table, table, StringComparison.Ordinal));
}

/// <summary>
/// One file: <see cref="Sha256"/> hashes the gzip bytes as stored (verification), <see cref="ContentSha256"/>
/// the NDJSON inside (a restored table re-encoded must give it again: the drill's comparison).
/// </summary>
public sealed record BackupFile(string Table, string Blob, long Rows, long Bytes, string Sha256, string ContentSha256);

/// <summary>The last verification: passed, or the files that failed and why.</summary>
public sealed record BackupVerification(bool Passed, DateTimeOffset At, IReadOnlyList<string> Failures);

/// <summary>What re-reading one file found.</summary>
public sealed record FileCheck(string Table, bool Passed, long Rows, string? Failure);
