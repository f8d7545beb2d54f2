using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary>
/// Requests in table <c>privacyrequests</c>: partition = subject reference, row = request id, plus one
/// guard row per open identical request (<c>open-…</c>) inserted in the same entity-group transaction, so
/// two identical requests racing cannot both open. Every update states the ETag it read and a fresh
/// write id; a 412 whose row carries our write id is our own committed write (azure-sdk-for-net #39146).
/// </summary>
public sealed class RequestStore(StorageClients storage)
{
    public const string GuardPrefix = "open-";

    /// <summary>Inserts the request and its guard; when an identical request is open, returns that one instead.</summary>
    public async Task<(PrivacyRequest Request, bool Created)> CreateAsync(PrivacyRequest request, string guardKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var writeId = Guid.NewGuid().ToString("N");
        TableTransactionAction[] batch =
        [
            new(TableTransactionActionType.Add, ToEntity(request, writeId)),
            new(TableTransactionActionType.Add, new TableEntity(request.SubjectRef, GuardPrefix + guardKey) { ["RequestId"] = request.Id }),
        ];
        try
        {
            await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
            return (request, true);
        }
        catch (TableTransactionFailedException e) when (e.Status is 409)
        {
            var guard = await table.GetEntityIfExistsAsync<TableEntity>(request.SubjectRef, GuardPrefix + guardKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            var existing = guard.HasValue ? await GetAsync(guard.Value!.GetString("RequestId") ?? "", cancellationToken).ConfigureAwait(false) : null;
            return existing is null
                ? throw Problems.Unavailable("An identical request is being opened; retry shortly.", TimeSpan.FromSeconds(1))
                : (existing, false);
        }
    }

    /// <summary>Inserts a request that is closed from the start (a refusal): no guard row.</summary>
    public async Task InsertClosedAsync(PrivacyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(ToEntity(request, Guid.NewGuid().ToString("N")), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Our own earlier attempt committed (the id is new for every request).
        }
    }

    public async Task<PrivacyRequest?> GetAsync(string requestId, CancellationToken cancellationToken)
    {
        if (!RequestIds.IsValid(requestId))
        {
            return null;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(RequestIds.SubjectRefOf(requestId), requestId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    /// <summary>The subject's requests, newest first (guard rows excluded).</summary>
    public async Task<IReadOnlyList<PrivacyRequest>> ListForSubjectAsync(string subjectRef, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<PrivacyRequest>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {subjectRef} and RowKey ge {"s"}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(FromEntity(row));
        }

        return [.. found.OrderByDescending(r => r.OpenedAt)];
    }

    /// <summary>Every open request (a cross-partition scan of a small table), oldest due first.</summary>
    public async Task<IReadOnlyList<PrivacyRequest>> ListOpenAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"RowKey ge {"s"} and (Status eq {"open"} or Status eq {"running"} or Status eq {"awaiting_dpo"})");
        var found = new List<PrivacyRequest>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(FromEntity(row));
        }

        return [.. found.OrderBy(r => r.DueAt)];
    }

    /// <summary>Closed requests that closed before <paramref name="before"/> (retention).</summary>
    public async Task<IReadOnlyList<PrivacyRequest>> ListClosedBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<PrivacyRequest>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {"s"} and ClosedAt lt {before}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(FromEntity(row));
        }

        return found;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored request and writes it If-Match; on a lost race
    /// re-reads and applies again. <paramref name="change"/> returns null when there is nothing to do, so
    /// a step repeated by a replayed activity writes nothing. When the result is closed, the guard row
    /// pointing at it is deleted in the same transaction.
    /// </summary>
    public async Task<PrivacyRequest?> UpdateAsync(string requestId, Func<PrivacyRequest, PrivacyRequest?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetAsync(requestId, cancellationToken).ConfigureAwait(false);
            if (current is null || change(current) is not { } next)
            {
                return current;
            }

            var writeId = Guid.NewGuid().ToString("N");
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, ToEntity(next, writeId), new ETag(current.ETag!)) };
            if (current.IsOpen && !next.IsOpen)
            {
                await foreach (var guard in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {current.SubjectRef} and RowKey ge {GuardPrefix} and RowKey lt {"open."} and RequestId eq {requestId}"), cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    actions.Add(new(TableTransactionActionType.Delete, new TableEntity(guard.PartitionKey, guard.RowKey), guard.ETag));
                }
            }

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return next with { ETag = null };
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404 && attempt < 10)
            {
                var stored = await table.GetEntityIfExistsAsync<TableEntity>(current.SubjectRef, requestId, ["WriteId"], cancellationToken).ConfigureAwait(false);
                if (stored.HasValue && stored.Value!.GetString("WriteId") == writeId)
                {
                    return next with { ETag = null }; // our own write had committed
                }
            }
        }
    }

    /// <summary>Erasure: every request row of the subject loses its personal fields; open ones are superseded, guards dropped.</summary>
    public async Task<int> PseudonymiseAsync(string subjectRef, string? exceptRequestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var holding = (await ListForSubjectAsync(subjectRef, cancellationToken).ConfigureAwait(false))
            .Where(r => r.Id != exceptRequestId && HoldsPersonalFields(r))
            .ToList();
        // Each row is its own conditional update: a few at a time.
        await Parallel.ForEachAsync(holding, Handlers.SubjectWrites.Options(cancellationToken), async (request, ct) =>
            await UpdateAsync(request.Id, r => HoldsPersonalFields(r) ? Pseudonymised(r, now) : null, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return holding.Count;
    }

    public static bool HoldsPersonalFields(PrivacyRequest request) =>
        request.UserId is not null || request.Claim is not null || request.Reason is not null || request.ExtensionReason is not null || request.Resolution is not null;

    public static PrivacyRequest Pseudonymised(PrivacyRequest request, DateTimeOffset now) => request with
    {
        UserId = null,
        Claim = null,
        Reason = null,
        ExtensionReason = null,
        Resolution = null,
        OpenedBy = request.Channel == PrivacyRequest.UserChannel ? "subject" : request.OpenedBy,
        Status = request.IsOpen ? RequestStatus.Superseded : request.Status,
        ClosedAt = request.ClosedAt ?? now,
    };

    /// <summary>Retention: deletes a closed request's row.</summary>
    public async Task<bool> DeleteAsync(PrivacyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(request.SubjectRef, request.Id, new ETag(request.ETag!), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(PrivacyRequest r, string writeId) => new(r.SubjectRef, r.Id)
    {
        ["UserId"] = r.UserId,
        ["Type"] = Snake(r.Type),
        ["Status"] = Snake(r.Status),
        ["Channel"] = r.Channel,
        ["OpenedBy"] = r.OpenedBy,
        ["Reason"] = r.Reason,
        ["OpenedAt"] = r.OpenedAt,
        ["DueAt"] = r.DueAt,
        ["ExtensionReason"] = r.ExtensionReason,
        ["ExtendedBy"] = r.ExtendedBy,
        ["Claim"] = r.Claim is null ? null : JsonSerializer.Serialize(r.Claim, ApiJson.Options),
        ["Resolution"] = r.Resolution,
        ["ResolvedBy"] = r.ResolvedBy,
        ["ClosedAt"] = r.ClosedAt,
        ["Result"] = r.Result is null ? null : JsonSerializer.Serialize(r.Result, ApiJson.Options),
        ["Phase"] = r.Phase,
        ["ExportExpiresAt"] = r.ExportExpiresAt,
        ["WriteId"] = writeId,
    };

    private static PrivacyRequest FromEntity(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey,
        e.GetString("UserId"),
        Parse<RequestType>(e.GetString("Type")),
        Parse<RequestStatus>(e.GetString("Status")),
        e.GetString("Channel") ?? "",
        e.GetString("OpenedBy") ?? "",
        e.GetString("Reason"),
        e.GetDateTimeOffset("OpenedAt") ?? default,
        e.GetDateTimeOffset("DueAt") ?? default,
        e.GetString("ExtensionReason"),
        e.GetString("ExtendedBy"),
        e.GetString("Claim") is { } claim ? JsonSerializer.Deserialize<RequestClaim>(claim, ApiJson.Options) : null,
        e.GetString("Resolution"),
        e.GetString("ResolvedBy"),
        e.GetDateTimeOffset("ClosedAt"),
        e.GetString("Result") is { } result ? JsonSerializer.Deserialize<RequestResult>(result, ApiJson.Options) : null,
        e.GetString("Phase"),
        e.GetDateTimeOffset("ExportExpiresAt"))
    {
        ETag = e.ETag.ToString(),
    };

    internal static string Snake<T>(T value)
        where T : struct, Enum => JsonSerializer.Serialize(value, ApiJson.Options).Trim('"');

    private static T Parse<T>(string? value)
        where T : struct, Enum => JsonSerializer.Deserialize<T>("\"" + value + "\"", ApiJson.Options);

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(PrivacyStores.Requests, cancellationToken);
}
