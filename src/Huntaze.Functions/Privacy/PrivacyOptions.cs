namespace Huntaze.Functions.Privacy;

/// <summary>Settings under <c>Privacy__*</c> (README, docs/privacy/dsr-runbook.md).</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";

    /// <summary>Base64 key (≥ 32 bytes) of subject references and the erasure ledger; empty → created once in blob <c>secrets/privacy-pseudonym-key</c>.</summary>
    public string PseudonymKey { get; set; } = "";

    /// <summary>Days an export archive can be downloaded before it is deleted (then 410).</summary>
    public int ExportLifetimeDays { get; set; } = 7;

    /// <summary>Cron (6 fields, UTC) of the retention timer.</summary>
    public string RetentionSchedule { get; set; } = "0 30 2 * * *";

    /// <summary>Entities deleted per storage batch by the retention timer.</summary>
    public int RetentionBatchSize { get; set; } = 100;

    /// <summary>How often each instance re-reads the restriction and objection index (seconds).</summary>
    public int ControlsPollSeconds { get; set; } = 2;

    public RetentionOptions Retention { get; set; } = new();

    public bool IsValid(out string error)
    {
        error = "";
        if (PseudonymKey.Length > 0 && !IsStrongKey(PseudonymKey))
        {
            error = $"Privacy:PseudonymKey must be base64 of at least 32 bytes (got {PseudonymKey.Length} characters).";
        }
        else if (ExportLifetimeDays is < 1 or > 30)
        {
            error = $"Privacy:ExportLifetimeDays must be 1..30 (got {ExportLifetimeDays}).";
        }
        else if (NCrontab.CrontabSchedule.TryParse(RetentionSchedule, new NCrontab.CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            error = $"Privacy:RetentionSchedule must be a 6-field cron expression (got '{RetentionSchedule}').";
        }
        else if (RetentionBatchSize is < 1 or > 100)
        {
            error = $"Privacy:RetentionBatchSize must be 1..100 (one entity-group transaction; got {RetentionBatchSize}).";
        }
        else if (ControlsPollSeconds is < 1 or > 60)
        {
            error = $"Privacy:ControlsPollSeconds must be 1..60 (got {ControlsPollSeconds}).";
        }
        else
        {
            error = Retention.Validate() ?? "";
        }

        return error.Length == 0;
    }

    private static bool IsStrongKey(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written >= 32;
    }
}

/// <summary>Retention periods in days (<c>Privacy__Retention__*</c>); the data map names each.</summary>
public sealed class RetentionOptions
{
    public int CompletedProgressDays { get; set; } = 730;

    public int AuditDays { get; set; } = 1095;

    public int ClosedRequestDays { get; set; } = 1095;

    public int LedgerDays { get; set; } = 400;

    public int OrchestrationDays { get; set; } = 30;

    public string? Validate()
    {
        foreach (var (name, value) in new[] { ("CompletedProgressDays", CompletedProgressDays), ("AuditDays", AuditDays), ("ClosedRequestDays", ClosedRequestDays), ("LedgerDays", LedgerDays), ("OrchestrationDays", OrchestrationDays) })
        {
            if (value is < 1 or > 3650)
            {
                return $"Privacy:Retention:{name} must be 1..3650 days (got {value}).";
            }
        }

        return LedgerDays < 366 ? $"Privacy:Retention:LedgerDays must exceed the oldest backup tier (12 months): at least 366 (got {LedgerDays})." : null;
    }
}
