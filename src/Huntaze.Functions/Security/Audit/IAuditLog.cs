namespace Huntaze.Functions.Security.Audit;

/// <summary>What happened, by whom, to what. The log adds time, correlation id and the hash chain.</summary>
public sealed record AuditRecord(
    string Actor,
    string Action,
    string Target,
    string Outcome,
    string CorrelationId,
    IReadOnlyDictionary<string, string?>? Details = null);

/// <summary>The tamper-evident, append-only audit log.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditRecord record, CancellationToken cancellationToken);
}
