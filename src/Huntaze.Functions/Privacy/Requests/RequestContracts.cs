using Huntaze.Functions.Privacy.Workflow;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary><c>POST /api/privacy/requests</c>: the type as text (validated with a clear message), and its particulars.</summary>
public sealed record OpenRequestBody(string? Type, string? Claim = null, string? Purpose = null, string? Action = null);

/// <summary><c>POST /api/admin/dsr/export</c>.</summary>
public sealed record DpoExportBody(string? UserId, string? Reason, string? Type = null);

/// <summary><c>POST /api/admin/dsr/delete</c>: <c>confirm</c> must be true.</summary>
public sealed record DpoDeleteBody(string? UserId, bool? Confirm, string? Reason);

/// <summary><c>POST /api/admin/dsr/{id}/extend</c>: by 1 or 2 months, at most 2 in all (Art. 12(3)).</summary>
public sealed record ExtendBody(int? Months, string? Reason);

/// <summary><c>POST /api/admin/dsr/{id}/resolve</c>: the DPO's audited note on a rectification.</summary>
public sealed record ResolveBody(string? Note, string? Outcome);

/// <summary><c>PUT /api/admin/privacy/controls/{userId}/{control}</c>.</summary>
public sealed record ControlBody(string? Reason);

/// <summary>A request as its subject sees it.</summary>
/// <summary>A list of requests (the user's own, or the DPO's queue).</summary>
public sealed record RequestList(IReadOnlyList<RequestView> Items);

public sealed record RequestView(
    string Id,
    string Type,
    string Status,
    DateTimeOffset OpenedAt,
    DateTimeOffset DueAt,
    bool Overdue,
    bool Extended,
    string? ExtensionReason,
    RequestClaim? Claim,
    string? Resolution,
    DateTimeOffset? ClosedAt,
    RequestResult? Result,
    ExportView? Export,
    string StatusUrl,
    DsrProgress? Progress = null,
    string? UserId = null,
    string? Channel = null,
    string? OpenedBy = null,
    string? Reason = null,
    string? ExtendedBy = null,
    string? ResolvedBy = null)
{
    public static RequestView Of(PrivacyRequest request, DateTimeOffset now, bool forDpo, DsrProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var statusUrl = forDpo ? $"/api/admin/dsr/{request.Id}" : $"/api/privacy/requests/{request.Id}";
        var export = request.ExportExpiresAt is { } expires
            ? new ExportView(statusUrl + "/export", expires, now < expires)
            : null;
        return new RequestView(
            request.Id, RequestStore.Snake(request.Type), RequestStore.Snake(request.Status), request.OpenedAt, request.DueAt,
            request.IsOverdue(now), request.ExtendedBy is not null, request.ExtensionReason, request.Claim, request.Resolution,
            request.ClosedAt, request.Result, export, statusUrl, progress,
            forDpo ? request.UserId : null, forDpo ? request.Channel : null, forDpo ? request.OpenedBy : null,
            forDpo ? request.Reason : null, forDpo ? request.ExtendedBy : null, forDpo ? request.ResolvedBy : null);
    }
}

public sealed record ExportView(string Url, DateTimeOffset ExpiresAt, bool Available);

/// <summary><c>GET /api/admin/dsr/delete/preview</c>: what an erasure would find, per store; nothing is written.</summary>
public sealed record ErasurePreview(string UserId, IReadOnlyList<PreviewStore> Stores, int Total, LegalHoldView? LegalHold, IReadOnlyList<DateTimeOffset> ErasedBefore);

public sealed record PreviewStore(string Store, int Count, string Action);

public sealed record LegalHoldView(string Reason, DateTimeOffset Since, string SetBy);
