using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Controls;
using Huntaze.Functions.Privacy.Erasure;
using Huntaze.Functions.Privacy.Subjects;
using Huntaze.Functions.Security.Audit;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary>Who opens a request and why (a DPO acting for a user gives a reason).</summary>
public sealed record OpenCommand(string UserId, RequestType Type, RequestClaim? Claim, string Channel, string OpenedBy, string? Reason, string CorrelationId);

/// <summary>
/// Opening and managing data-subject requests: validation, the one-open-identical-request rule, legal
/// holds, due dates and extensions, DPO resolution. Every change is audited. The workflows themselves
/// run in <see cref="Workflow.PrivacyRequestOrchestration"/>.
/// </summary>
public sealed class PrivacyRequestService(
    RequestStore requests,
    SubjectReferences references,
    PrivacyControls controls,
    IErasureLedger ledger,
    IAuditLog audit,
    TimeProvider time)
{
    public const int MaxTextLength = 2000;

    /// <summary>Opens the request, or returns the identical one already open (Created = false).</summary>
    public async Task<(PrivacyRequest Request, bool Created)> OpenAsync(OpenCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var subjectRef = await references.OfAsync(command.UserId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var request = new PrivacyRequest(
            RequestIds.New(subjectRef, Guid.NewGuid()), subjectRef, command.UserId, command.Type, RequestStatus.Open, command.Channel,
            command.OpenedBy, command.Reason, now, PrivacyRequest.DueFrom(now), null, null, command.Claim, null, null, null, null, null, null);

        if (command.Type == RequestType.Erasure && await HoldAsync(command.UserId, cancellationToken).ConfigureAwait(false) is { } hold)
        {
            // Art. 12(4): the subject is told why. The refusal is recorded like any handled request.
            var refused = request with { Status = RequestStatus.Refused, ClosedAt = now, Result = new RequestResult(Note: "Legal hold: " + hold.Reason) };
            await requests.InsertClosedAsync(refused, cancellationToken).ConfigureAwait(false);
            await AuditAsync(command.OpenedBy, "privacy.request.refused", refused, command.CorrelationId, new() { ["hold"] = hold.Reason }, cancellationToken).ConfigureAwait(false);
            PrivacyMetrics.RequestClosed(RequestStore.Snake(command.Type), "refused", refused.ClosedAt <= refused.DueAt);
            throw Problems.LegalHold($"Erasure is refused while a legal hold applies: {hold.Reason}", refused.Id, new LegalHoldView(hold.Reason ?? "", hold.Since, "dpo"));
        }

        var (stored, created) = await requests.CreateAsync(request, GuardKey(command.Type, command.Claim), cancellationToken).ConfigureAwait(false);
        if (created)
        {
            await AuditAsync(command.OpenedBy, "privacy.request.opened", stored, command.CorrelationId, new() { ["channel"] = command.Channel, ["reason"] = command.Reason }, cancellationToken).ConfigureAwait(false);
            PrivacyMetrics.RequestOpened(RequestStore.Snake(command.Type), command.Channel);
        }

        return (stored, created);
    }

    /// <summary>The user's body, validated: the type named clearly, and only the particulars that type takes.</summary>
    public static (RequestType Type, RequestClaim? Claim) Validate(OpenRequestBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new Dictionary<string, string[]>();
        RequestType? type = body.Type switch
        {
            "access" => RequestType.Access,
            "portability" => RequestType.Portability,
            "erasure" => RequestType.Erasure,
            "rectification" => RequestType.Rectification,
            "restriction" => RequestType.Restriction,
            "objection" => RequestType.Objection,
            _ => null,
        };
        if (type is null)
        {
            errors["type"] = ["Must be one of access, portability, erasure, rectification, restriction, objection."];
            throw Invalid(errors);
        }

        RequestAction? action = body.Action switch
        {
            null or "apply" => RequestAction.Apply,
            "lift" => RequestAction.Lift,
            _ => null,
        };
        var takesAction = type is RequestType.Restriction or RequestType.Objection;
        if (action is null || (!takesAction && body.Action is not null))
        {
            errors["action"] = [takesAction ? "Must be 'apply' or 'lift'." : "Only restriction and objection requests take an action."];
        }

        if (type == RequestType.Rectification && string.IsNullOrWhiteSpace(body.Claim))
        {
            errors["claim"] = ["Say what is inaccurate and what it should be."];
        }
        else if (type != RequestType.Rectification && body.Claim is not null)
        {
            errors["claim"] = ["Only rectification requests take a claim."];
        }
        else if (body.Claim?.Length > MaxTextLength)
        {
            errors["claim"] = [$"At most {MaxTextLength} characters."];
        }

        if (type == RequestType.Objection && ObjectionPurposes.ToControl(body.Purpose) is null)
        {
            errors["purpose"] = [$"Must be one of {string.Join(", ", ObjectionPurposes.All)}."];
        }
        else if (type != RequestType.Objection && body.Purpose is not null)
        {
            errors["purpose"] = ["Only objection requests take a purpose."];
        }

        if (errors.Count > 0)
        {
            throw Invalid(errors);
        }

        var claim = type switch
        {
            RequestType.Rectification => new RequestClaim(Text: body.Claim!.Trim()),
            RequestType.Objection => new RequestClaim(Purpose: body.Purpose, Action: action),
            RequestType.Restriction => new RequestClaim(Action: action),
            _ => null,
        };
        return (type.Value, claim);
    }

    public async Task<IReadOnlyList<PrivacyRequest>> ListForUserAsync(string userId, CancellationToken cancellationToken) =>
        await requests.ListForSubjectAsync(await references.OfAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>The caller's request, or 404 (another user's request is indistinguishable from none).</summary>
    public async Task<PrivacyRequest> GetForUserAsync(string userId, string requestId, CancellationToken cancellationToken)
    {
        var subjectRef = await references.OfAsync(userId, cancellationToken).ConfigureAwait(false);
        var request = RequestIds.IsValid(requestId) && RequestIds.SubjectRefOf(requestId) == subjectRef
            ? await requests.GetAsync(requestId, cancellationToken).ConfigureAwait(false)
            : null;
        return request ?? throw NotFound();
    }

    public async Task<PrivacyRequest> GetAsync(string requestId, CancellationToken cancellationToken) =>
        await requests.GetAsync(requestId, cancellationToken).ConfigureAwait(false) ?? throw NotFound();

    public async Task<IReadOnlyList<PrivacyRequest>> ListOpenAsync(bool overdueOnly, CancellationToken cancellationToken)
    {
        var open = await requests.ListOpenAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        PrivacyMetrics.Sample(open.Count, open.Count(r => r.IsOverdue(now)), open.Count == 0 ? 0 : (now - open.Min(r => r.OpenedAt)).TotalSeconds);
        return overdueOnly ? [.. open.Where(r => r.IsOverdue(now))] : open;
    }

    /// <summary>Art. 12(3): by one or two months, at most two beyond the first month, with a reason; audited.</summary>
    public async Task<PrivacyRequest> ExtendAsync(string actor, string requestId, ExtendBody body, string correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new Dictionary<string, string[]>();
        if (body.Months is not (1 or 2))
        {
            errors["months"] = ["1 or 2."];
        }

        if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > MaxTextLength)
        {
            errors["reason"] = [$"Required (the subject is told why), at most {MaxTextLength} characters."];
        }

        if (errors.Count > 0)
        {
            throw Invalid(errors);
        }

        var current = await GetAsync(requestId, cancellationToken).ConfigureAwait(false);
        var due = current.DueAt.AddMonths(body.Months!.Value);
        if (!current.IsOpen || due > current.LatestDue)
        {
            throw Problems.Conflict(current.IsOpen
                ? $"The deadline can be extended by two months in all (latest {current.LatestDue:yyyy-MM-dd}); it is {current.DueAt:yyyy-MM-dd}."
                : "The request is closed.");
        }

        var updated = await requests.UpdateAsync(requestId, r => r.DueAt == current.DueAt ? r with { DueAt = due, ExtensionReason = body.Reason!.Trim(), ExtendedBy = actor } : null, cancellationToken).ConfigureAwait(false)
            ?? throw NotFound();
        await AuditAsync(actor, "privacy.request.extended", updated, correlationId, new()
        {
            ["dueAt"] = updated.DueAt.ToString("O", CultureInfo.InvariantCulture),
            ["reason"] = body.Reason,
        }, cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>The DPO's answer to a rectification claim: closes the request with an audited note.</summary>
    public async Task<PrivacyRequest> ResolveAsync(string actor, string requestId, ResolveBody body, string correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrWhiteSpace(body.Note) || body.Note.Length > MaxTextLength || body.Outcome is not ("rectified" or "rejected"))
        {
            throw Invalid(new Dictionary<string, string[]>
            {
                ["note"] = [$"Required, at most {MaxTextLength} characters."],
                ["outcome"] = ["'rectified' or 'rejected'."],
            });
        }

        var current = await GetAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (current.Type != RequestType.Rectification || !current.IsOpen)
        {
            throw Problems.Conflict("Only an open rectification request can be resolved.");
        }

        var now = time.GetUtcNow();
        var resolved = await requests.UpdateAsync(requestId, r => r.IsOpen
            ? r with { Status = RequestStatus.Completed, Resolution = $"{body.Outcome}: {body.Note!.Trim()}", ResolvedBy = actor, ClosedAt = now, Phase = "resolved" }
            : null, cancellationToken).ConfigureAwait(false) ?? throw NotFound();
        await AuditAsync(actor, "privacy.request.resolved", resolved, correlationId, new() { ["outcome"] = body.Outcome, ["note"] = body.Note }, cancellationToken).ConfigureAwait(false);
        PrivacyMetrics.RequestClosed(RequestStore.Snake(resolved.Type), RequestStore.Snake(resolved.Status), resolved.ClosedAt <= resolved.DueAt);
        return resolved;
    }

    /// <summary>A DPO acting on a user id must name one the app holds data for, or has erased before.</summary>
    public async Task EnsureKnownAsync(string userId, Func<CancellationToken, Task<bool>> holdsData, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holdsData);
        if (!await holdsData(cancellationToken).ConfigureAwait(false) && (await ErasedBeforeAsync(userId, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            throw Problems.NotFound("No data is held for this user id, and it was never erased.");
        }
    }

    public async Task<IReadOnlyList<DateTimeOffset>> ErasedBeforeAsync(string userId, CancellationToken cancellationToken) =>
        [.. (await ledger.FindAsync(await references.OfAsync(userId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)).Select(e => e.ErasedAt)];

    public async Task<ControlRecord?> HoldAsync(string userId, CancellationToken cancellationToken) =>
        (await controls.GetAsync(userId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(c => c.Kind == ControlKind.LegalHold);

    /// <summary>DPO: sets a control (a legal hold, or a restriction on the user's behalf); audited.</summary>
    public async Task<ControlRecord> SetControlAsync(string actor, string userId, ControlKind kind, string? reason, string correlationId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxTextLength)
        {
            throw Invalid(new Dictionary<string, string[]> { ["reason"] = [$"Required (a hold names its legal basis), at most {MaxTextLength} characters."] });
        }

        var record = await controls.SetAsync(userId, kind, actor, reason.Trim(), cancellationToken).ConfigureAwait(false);
        await audit.AppendAsync(new AuditRecord(actor, "privacy.control.set", "user:" + userId, "succeeded", correlationId,
            new Dictionary<string, string?> { ["control"] = ControlKinds.RowKey(kind), ["reason"] = reason }), cancellationToken).ConfigureAwait(false);
        return record;
    }

    public async Task<bool> LiftControlAsync(string actor, string userId, ControlKind kind, string correlationId, CancellationToken cancellationToken)
    {
        var lifted = await controls.LiftAsync(userId, kind, cancellationToken).ConfigureAwait(false);
        await audit.AppendAsync(new AuditRecord(actor, "privacy.control.lifted", "user:" + userId, lifted ? "succeeded" : "not-set", correlationId,
            new Dictionary<string, string?> { ["control"] = ControlKinds.RowKey(kind) }), cancellationToken).ConfigureAwait(false);
        return lifted;
    }

    public Task AuditDownloadAsync(string actor, PrivacyRequest request, string correlationId, CancellationToken cancellationToken) =>
        AuditAsync(actor, "privacy.export.downloaded", request, correlationId, [], cancellationToken);

    /// <summary>
    /// Entries name the request (its id holds only the subject reference), never the user: a DPO acting for
    /// an erased user must not give them a new key, and the entries stay evidence after the erasure.
    /// </summary>
    private Task AuditAsync(string actor, string action, PrivacyRequest request, string correlationId, Dictionary<string, string?> details, CancellationToken cancellationToken)
    {
        details["type"] = RequestStore.Snake(request.Type);
        // Free text (a reason, a note) may name the user: listed as a subject, their id is stored protected.
        return audit.AppendAsync(new AuditRecord(actor, action, "privacy-request:" + request.Id, "succeeded", correlationId, details, request.UserId is { } id ? [id] : null), cancellationToken);
    }

    /// <summary>Identical = same type and same particulars: a short hash of them names the guard row.</summary>
    private static string GuardKey(RequestType type, RequestClaim? claim)
    {
        var particulars = $"{claim?.Text}\n{claim?.Purpose}\n{claim?.Action}";
        return RequestStore.Snake(type) + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(particulars)).AsSpan(0, 6));
    }

    internal static ProblemException Invalid(Dictionary<string, string[]> errors) =>
        Problems.Validation(errors, string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    private static ProblemException NotFound() => Problems.NotFound("No such request.");
}
