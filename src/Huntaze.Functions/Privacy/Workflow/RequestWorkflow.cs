using System.Globalization;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Controls;
using Huntaze.Functions.Privacy.Erasure;
using Huntaze.Functions.Privacy.Handlers;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Security.Audit;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy.Workflow;

/// <summary>
/// The steps of a data-subject request, one method per activity. Each reads the request by id and is
/// idempotent: a step repeated by Durable (at-least-once activities) finds its work done and changes
/// nothing. Every step is audited (started, each store's export, erasure and verification with its counts,
/// awaiting the DPO, the control set or lifted, completed or failed), as <c>system</c> on
/// <c>privacy-request:{id}</c> and naming no user, so no step re-creates the key of a subject being erased.
/// </summary>
public sealed class RequestWorkflow(
    RequestStore requests,
    IEnumerable<ISubjectDataHandler> handlers,
    ExportBlobs exports,
    DataMap map,
    PrivacyControls controls,
    IErasureLedger ledger,
    IAuditLog audit,
    IOptions<PrivacyOptions> options,
    TimeProvider time)
{
    private readonly Dictionary<string, ISubjectDataHandler> _handlers = handlers.ToDictionary(h => h.Key, StringComparer.Ordinal);

    public IReadOnlyCollection<ISubjectDataHandler> Handlers => _handlers.Values;

    public async Task<DsrPlan> BeginAsync(string requestId, CancellationToken cancellationToken)
    {
        var request = await requests.GetAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (request is null || !request.IsOpen)
        {
            return new DsrPlan("", true, [], []);
        }

        var started = await requests.UpdateAsync(requestId, r => r.Status == RequestStatus.Open ? r with { Status = RequestStatus.Running, Phase = "started" } : null, cancellationToken).ConfigureAwait(false);
        if (request.Status == RequestStatus.Open)
        {
            await StepAuditAsync(started!, "privacy.request.started", [], cancellationToken).ConfigureAwait(false);
        }

        var type = RequestStore.Snake(request.Type);
        return request.Type switch
        {
            RequestType.Access or RequestType.Portability => new DsrPlan(type, false, [.. _handlers.Keys.Order(StringComparer.Ordinal)], []),
            RequestType.Erasure => new DsrPlan(
                type, false,
                [.. _handlers.Values.Where(h => h.ErasureWave == 0).Select(h => h.Key).Order(StringComparer.Ordinal)],
                [.. _handlers.Values.Where(h => h.ErasureWave > 0).Select(h => h.Key).Order(StringComparer.Ordinal)]),
            _ => new DsrPlan(type, false, [], []),
        };
    }

    /// <summary>One store's items to a part blob (overwritten when the step repeats).</summary>
    public async Task<DsrStoreResult> ExportStoreAsync(DsrStoreInput input, CancellationToken cancellationToken)
    {
        var (request, subject) = await SubjectAsync(input.RequestId, cancellationToken).ConfigureAwait(false);
        if (subject is null || request.Status != RequestStatus.Running)
        {
            return new DsrStoreResult(input.Handler, []);
        }

        var data = await Handler(input.Handler).ExportAsync(subject, cancellationToken).ConfigureAwait(false);
        await exports.WritePartAsync(input.RequestId, input.Handler, data, cancellationToken).ConfigureAwait(false);
        var result = new DsrStoreResult(input.Handler, [.. data.Select(d => new StoreCount(d.Store, d.Items.Count))]);
        await StoreStepAuditAsync(request, "privacy.export.store", result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Builds the archive from the parts, records it on the request and completes it.</summary>
    public async Task<bool> ArchiveAsync(string requestId, CancellationToken cancellationToken)
    {
        var request = await requests.GetAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (request is null || request.Status != RequestStatus.Running)
        {
            return false;
        }

        var data = new List<StoreData>();
        foreach (var key in _handlers.Keys.Order(StringComparer.Ordinal))
        {
            data.AddRange(await exports.ReadPartAsync(requestId, key, cancellationToken).ConfigureAwait(false));
        }

        var now = time.GetUtcNow();
        var expires = now.AddDays(options.Value.ExportLifetimeDays);
        var items = 0;
        var (bytes, sha) = await exports.WriteArchiveAsync(requestId, async (stream, ct) => items = await ExportArchive.WriteAsync(stream, request, data, map, now, ct).ConfigureAwait(false), expires, cancellationToken).ConfigureAwait(false);
        await exports.DeletePartsAsync(requestId, cancellationToken).ConfigureAwait(false);
        var result = new RequestResult(Stores: [.. data.Select(d => new StoreCount(d.Store, d.Items.Count))], Archive: new ArchiveInfo(ExportBlobs.ArchiveName, bytes, sha, items));
        var completed = await requests.UpdateAsync(requestId, r => r.Status == RequestStatus.Running
            ? r with { Status = RequestStatus.Completed, ClosedAt = now, ExportExpiresAt = expires, Result = result, Phase = "archived" }
            : null, cancellationToken).ConfigureAwait(false);
        await CloseAuditAsync(completed!, "privacy.export.completed", new() { ["items"] = Invariant(items), ["sha256"] = sha }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<DsrStoreResult> EraseStoreAsync(DsrStoreInput input, CancellationToken cancellationToken)
    {
        var (request, subject) = await SubjectAsync(input.RequestId, cancellationToken).ConfigureAwait(false);
        if (subject is null || request.Status != RequestStatus.Running)
        {
            return new DsrStoreResult(input.Handler, []);
        }

        var result = new DsrStoreResult(input.Handler, await Handler(input.Handler).EraseAsync(subject, cancellationToken).ConfigureAwait(false));
        await StoreStepAuditAsync(request, "privacy.erasure.store", result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The verification scan of one handler's stores (only those whose erasure action removes data).</summary>
    public async Task<DsrStoreResult> VerifyStoreAsync(DsrStoreInput input, CancellationToken cancellationToken)
    {
        var (request, subject) = await SubjectAsync(input.RequestId, cancellationToken).ConfigureAwait(false);
        if (subject is null || request.Status != RequestStatus.Running)
        {
            return new DsrStoreResult(input.Handler, []);
        }

        var counts = await Handler(input.Handler).CountAsync(subject, cancellationToken).ConfigureAwait(false);
        var result = new DsrStoreResult(input.Handler, [.. counts.Where(c => map.Get(c.Store).Erasure.Action != ErasureAction.Keep)]);
        await StoreStepAuditAsync(request, "privacy.erasure.verify", result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Records the erasure in the ledger, then completes the request and pseudonymises it in one write:
    /// its user id leaves the last place it was kept. Repeated, it finds the request completed.
    /// </summary>
    public async Task<bool> CompleteErasureAsync(DsrCompleteInput input, CancellationToken cancellationToken)
    {
        var request = await requests.GetAsync(input.RequestId, cancellationToken).ConfigureAwait(false);
        if (request is null || request.Status != RequestStatus.Running)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var verification = new ErasureVerification(input.Found.All(c => c.Count == 0), now, input.Found);
        await ledger.RecordAsync(new ErasureLedgerEntry(request.SubjectRef, now, request.Id), cancellationToken).ConfigureAwait(false);
        var completed = await requests.UpdateAsync(input.RequestId, r => r.Status == RequestStatus.Running
            ? RequestStore.Pseudonymised(r, now) with
            {
                Status = RequestStatus.Completed,
                ClosedAt = now,
                Phase = "erased",
                Result = new RequestResult(Stores: Sum(input.Erased), Verification: verification),
            }
            : null, cancellationToken).ConfigureAwait(false);
        if (!verification.Passed)
        {
            PrivacyMetrics.ErasureVerificationFailed();
        }

        await CloseAuditAsync(completed!, "privacy.erasure.completed", new()
        {
            ["verified"] = verification.Passed ? "true" : "false",
            ["erased"] = string.Join(",", Sum(input.Erased).Select(c => $"{c.Store}={c.Count}")),
            ["found"] = string.Join(",", input.Found.Where(c => c.Count > 0).Select(c => $"{c.Store}={c.Count}")),
        }, cancellationToken).ConfigureAwait(false);
        return verification.Passed;
    }

    /// <summary>Restriction or objection: set or lift the control, then complete.</summary>
    public async Task<bool> ApplyControlAsync(string requestId, CancellationToken cancellationToken)
    {
        var (request, subject) = await SubjectAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (subject is null || request.Status != RequestStatus.Running)
        {
            return false;
        }

        var kind = request.Type == RequestType.Restriction ? ControlKind.Restriction : ObjectionPurposes.ToControl(request.Claim?.Purpose)
            ?? throw new InvalidOperationException("An objection request without a purpose.");
        var lift = request.Claim?.Action == RequestAction.Lift;
        if (lift)
        {
            await controls.LiftAsync(subject.UserId, kind, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await controls.SetAsync(subject.UserId, kind, request.OpenedBy, request.Reason, cancellationToken).ConfigureAwait(false);
        }

        var note = $"{ControlKinds.RowKey(kind)} {(lift ? "lifted" : "in force")}";
        var completed = await requests.UpdateAsync(requestId, r => r.Status == RequestStatus.Running
            ? r with { Status = RequestStatus.Completed, ClosedAt = time.GetUtcNow(), Phase = lift ? "lifted" : "applied", Result = new RequestResult(Note: note) }
            : null, cancellationToken).ConfigureAwait(false);
        await CloseAuditAsync(completed!, "privacy.control." + (lift ? "lifted" : "set"), new() { ["control"] = ControlKinds.RowKey(kind) }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Rectification: the claim goes to the DPO queue; false when the DPO already resolved it.</summary>
    public async Task<bool> AwaitDpoAsync(string requestId, CancellationToken cancellationToken)
    {
        var queued = false;
        var updated = await requests.UpdateAsync(requestId, r =>
        {
            queued = r.Status == RequestStatus.Running;
            return queued ? r with { Status = RequestStatus.AwaitingDpo, Phase = "awaiting_dpo" } : null;
        }, cancellationToken).ConfigureAwait(false);
        if (queued)
        {
            // Audited on the transition only: a repeated step finds the request queued already.
            await StepAuditAsync(updated!, "privacy.request.awaiting_dpo", [], cancellationToken).ConfigureAwait(false);
        }

        return updated?.Status == RequestStatus.AwaitingDpo;
    }

    public async Task<bool> FailAsync(DsrFailInput input, CancellationToken cancellationToken)
    {
        var failed = await requests.UpdateAsync(input.RequestId, r => r.IsOpen
            ? r with { Status = RequestStatus.Failed, ClosedAt = time.GetUtcNow(), Phase = "failed", Result = new RequestResult(Note: input.Reason) }
            : null, cancellationToken).ConfigureAwait(false);
        if (failed?.Status == RequestStatus.Failed)
        {
            await CloseAuditAsync(failed, "privacy.request.failed", new() { ["reason"] = input.Reason }, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private async Task<(PrivacyRequest Request, Subject? Subject)> SubjectAsync(string requestId, CancellationToken cancellationToken)
    {
        var request = await requests.GetAsync(requestId, cancellationToken).ConfigureAwait(false)
            ?? throw Problems.NotFound("The request no longer exists.");
        return (request, request.UserId is { } userId ? new Subject(userId, request.SubjectRef, request.Id, request.OpenedAt) : null);
    }

    private ISubjectDataHandler Handler(string key) =>
        _handlers.TryGetValue(key, out var handler) ? handler : throw new InvalidOperationException($"No data handler '{key}'.");

    private static List<StoreCount> Sum(IEnumerable<StoreCount> counts) =>
        [.. counts.GroupBy(c => c.Store, StringComparer.Ordinal).Select(g => new StoreCount(g.Key, g.Sum(c => c.Count))).OrderBy(c => c.Store, StringComparer.Ordinal)];

    private async Task CloseAuditAsync(PrivacyRequest request, string action, Dictionary<string, string?> details, CancellationToken cancellationToken)
    {
        PrivacyMetrics.RequestClosed(RequestStore.Snake(request.Type), RequestStore.Snake(request.Status), request.ClosedAt <= request.DueAt);
        await StepAuditAsync(request, action, details, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One store's step, with what it found or changed per store (counts only). Audited after the work: a step
    /// Durable repeats (at-least-once) appends a second entry with the counts of its second run.
    /// </summary>
    private Task StoreStepAuditAsync(PrivacyRequest request, string action, DsrStoreResult result, CancellationToken cancellationToken) =>
        StepAuditAsync(request, action, new()
        {
            ["handler"] = result.Handler,
            ["counts"] = string.Join(",", result.Counts.Select(c => $"{c.Store}={Invariant(c.Count)}")),
        }, cancellationToken);

    private Task StepAuditAsync(PrivacyRequest request, string action, Dictionary<string, string?> details, CancellationToken cancellationToken)
    {
        details["type"] = RequestStore.Snake(request.Type);
        details["status"] = RequestStore.Snake(request.Status);
        return audit.AppendAsync(new AuditRecord(AuditRecord.System, action, "privacy-request:" + request.Id, "succeeded", "dsr-" + request.Id[^12..], details), cancellationToken);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
