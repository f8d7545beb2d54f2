namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// What happened, by whom, to what. The log adds time, correlation id and the hash chain.
/// <paramref name="Subjects"/> lists user ids the details mention besides the actor and a <c>user:</c>
/// target (a flag's targeting list, a path naming a user): they are stored protected like those.
/// </summary>
public sealed record AuditRecord(
    string Actor,
    string Action,
    string Target,
    string Outcome,
    string CorrelationId,
    IReadOnlyDictionary<string, string?>? Details = null,
    IReadOnlyList<string>? Subjects = null)
{
    /// <summary>Actors that are not people.</summary>
    public const string Anonymous = "anonymous";

    public const string System = "system";
}

/// <summary>
/// The tamper-evident, append-only log of admin actions. Changes are recorded through
/// <see cref="AuditedChange.RecordChangeAsync{T}"/> (before they take effect); other events (reads of the
/// audit, completions) are appended directly. Refusals (401/403) are not appended here but counted in the
/// denial stream (<see cref="Denials.DenialRecorder"/>).
/// </summary>
public interface IAuditLog
{
    /// <summary>
    /// Appends one entry. When storage cannot take it, throws the 503 <c>dependency-unavailable</c> problem
    /// with <c>Retry-After</c> (<see cref="AuditUnavailable"/>): whatever the entry was to record must then not happen.
    /// </summary>
    Task AppendAsync(AuditRecord record, CancellationToken cancellationToken);
}
