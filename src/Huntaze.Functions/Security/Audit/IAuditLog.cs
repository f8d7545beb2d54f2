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

/// <summary>The tamper-evident, append-only audit log.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditRecord record, CancellationToken cancellationToken);
}
