namespace Huntaze.Functions.Backups;

/// <summary>The stores the backup feature writes (declared in Privacy/Registry/HuntazeDataMap.cs).</summary>
public static class BackupStores
{
    /// <summary>Blob container: <c>{yyyy-MM-dd}/{table}.ndjson.gz</c> and <c>{yyyy-MM-dd}/manifest.json</c>.</summary>
    public const string Container = "backups";

    /// <summary>The point-in-time journal of stores that cannot journal inside their own transaction (the flag stores).</summary>
    public const string Journal = "backupjournal";

    /// <summary>The restore lock, live-restore history and drill results.</summary>
    public const string State = "backupstate";

    /// <summary>The pseudo-table under which the flag documents of the flag store in use are backed up and journaled.</summary>
    public const string Flags = "flags";

    public const string ManifestBlob = "manifest.json";

    public static string FileBlob(string date, string table) => $"{date}/{table}.ndjson.gz";

    public static string ManifestPath(string date) => $"{date}/{ManifestBlob}";
}
