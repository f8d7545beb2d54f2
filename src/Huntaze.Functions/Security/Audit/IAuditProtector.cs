namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// Protects the people an audit entry names. The log hashes every stored byte, so an entry can never be
/// edited to erase someone; instead their user ids are stored protected (the privacy feature encrypts
/// them under a per-subject key that erasure destroys) and revealed when read. The chain covers the
/// protected form and verifies whether or not a subject was erased.
/// </summary>
public interface IAuditProtector
{
    /// <summary>The record as it must be stored: the actor, a <c>user:</c> target and the record's subjects protected.</summary>
    ValueTask<AuditRecord> ProtectAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>The entry as read by people: protected ids revealed where the subject's key still exists.</summary>
    ValueTask<AuditEntry> RevealAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>A search value for <paramref name="field"/> (<c>Actor</c> or <c>Target</c>) in its stored form; null when nothing stored can match.</summary>
    ValueTask<string?> ProtectSearchAsync(string field, string value, CancellationToken cancellationToken);
}

/// <summary>Stores ids as given (hosts without the privacy feature).</summary>
public sealed class UnprotectedAudit : IAuditProtector
{
    public ValueTask<AuditRecord> ProtectAsync(AuditRecord record, CancellationToken cancellationToken) => ValueTask.FromResult(record);

    public ValueTask<AuditEntry> RevealAsync(AuditEntry entry, CancellationToken cancellationToken) => ValueTask.FromResult(entry);

    public ValueTask<string?> ProtectSearchAsync(string field, string value, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(value);
}
