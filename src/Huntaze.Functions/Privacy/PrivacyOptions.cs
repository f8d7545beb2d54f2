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
}

/// <summary>Retention periods in days (<c>Privacy__Retention__*</c>); the data map names each. The task hub's is <c>Orchestrations__RetentionDays</c>.</summary>
public sealed class RetentionOptions
{
    public int CompletedProgressDays { get; set; } = 730;

    public int AuditDays { get; set; } = 1095;

    public int ClosedRequestDays { get; set; } = 1095;

    public int LedgerDays { get; set; } = 400;

    /// <summary>Anonymous consent records, after the visitor's last choice (13 months: longer than the cookie's 6).</summary>
    public int AnonymousConsentDays { get; set; } = 395;

    /// <summary>Pseudonymised consent records (proof), after the erasure of their subject.</summary>
    public int ErasedConsentDays { get; set; } = 1095;

    /// <summary>The denial stream (<c>auditdenials</c>): refusals per client and minute.</summary>
    public int DenialDays { get; set; } = 90;
}
