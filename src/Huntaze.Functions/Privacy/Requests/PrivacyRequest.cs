using System.Text.Json.Serialization;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary>The six rights (Art. 15–18, 20, 21).</summary>
public enum RequestType
{
    Access,
    Portability,
    Erasure,
    Rectification,
    Restriction,
    Objection,
}

public enum RequestStatus
{
    Open,
    Running,
    AwaitingDpo,
    Completed,
    Refused,
    Failed,

    /// <summary>Closed because the subject was erased while it was open.</summary>
    Superseded,
}

/// <summary>Restrictions and objections are applied, or lifted / withdrawn.</summary>
public enum RequestAction
{
    Apply,
    Lift,
}

/// <summary>What the subject asks beyond the type: the rectification claim, the objection purpose, apply or lift.</summary>
public sealed record RequestClaim(string? Text = null, string? Purpose = null, RequestAction? Action = null);

/// <summary>Rows found (or changed) in one store.</summary>
public sealed record StoreCount(string Store, int Count);

/// <summary>The export archive as written.</summary>
public sealed record ArchiveInfo(string File, long Bytes, string Sha256, int Items);

/// <summary>The erasure verification: a scan of every store after the erasure; passed when every count is zero.</summary>
public sealed record ErasureVerification(bool Passed, DateTimeOffset At, IReadOnlyList<StoreCount> Found);

/// <summary>The outcome recorded on the request.</summary>
public sealed record RequestResult(
    IReadOnlyList<StoreCount>? Stores = null,
    ErasureVerification? Verification = null,
    ArchiveInfo? Archive = null,
    string? Note = null);

/// <summary>
/// One data-subject request as stored (table <c>privacyrequests</c>, partition = subject reference, row =
/// request id). <see cref="UserId"/>, <see cref="Claim"/>, <see cref="Reason"/>, <see cref="ExtensionReason"/>
/// and <see cref="Resolution"/> are removed when the subject is erased; the rest stays as evidence.
/// </summary>
public sealed record PrivacyRequest(
    string Id,
    string SubjectRef,
    string? UserId,
    RequestType Type,
    RequestStatus Status,
    string Channel,
    string OpenedBy,
    string? Reason,
    DateTimeOffset OpenedAt,
    DateTimeOffset DueAt,
    string? ExtensionReason,
    string? ExtendedBy,
    RequestClaim? Claim,
    string? Resolution,
    string? ResolvedBy,
    DateTimeOffset? ClosedAt,
    RequestResult? Result,
    string? Phase,
    DateTimeOffset? ExportExpiresAt)
{
    public const string UserChannel = "user";
    public const string DpoChannel = "dpo";

    [JsonIgnore]
    public string? ETag { get; init; }

    [JsonIgnore]
    public bool IsOpen => Status is RequestStatus.Open or RequestStatus.Running or RequestStatus.AwaitingDpo;

    public bool IsOverdue(DateTimeOffset now) => IsOpen && now > DueAt;

    /// <summary>Art. 12(3): one month from receipt, extendable by two further months.</summary>
    public static DateTimeOffset DueFrom(DateTimeOffset openedAt) => openedAt.AddMonths(1);

    public DateTimeOffset LatestDue => DueFrom(OpenedAt).AddMonths(2);
}
