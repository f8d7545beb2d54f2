using System.Collections.Frozen;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Audit;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Platform.Orchestrations;

/// <summary>
/// Lists and terminates task hub instances for admins. The Durable client comes from the calling function
/// (a <c>[DurableClient]</c> binding), never from the container.
/// </summary>
public sealed class OrchestrationAdminService(IAuditLog audit)
{
    public const string Route = "admin/orchestrations";
    private const int MaxIdLength = 100;
    private const int MaxTokenLength = 2048;

    /// <summary>The statuses an admin can filter on, by their API name.</summary>
    public static readonly FrozenDictionary<string, OrchestrationRuntimeStatus> Statuses = new Dictionary<string, OrchestrationRuntimeStatus>(StringComparer.OrdinalIgnoreCase)
    {
        ["pending"] = OrchestrationRuntimeStatus.Pending,
        ["running"] = OrchestrationRuntimeStatus.Running,
        ["suspended"] = OrchestrationRuntimeStatus.Suspended,
        ["completed"] = OrchestrationRuntimeStatus.Completed,
        ["failed"] = OrchestrationRuntimeStatus.Failed,
        ["terminated"] = OrchestrationRuntimeStatus.Terminated,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static string StatusUrl(string id) => $"/api/{Route}/{Uri.EscapeDataString(id)}";

    public static string ToApiStatus(OrchestrationRuntimeStatus status) =>
        Statuses.FirstOrDefault(s => s.Value == status).Key ?? "unknown";

    public async Task<OrchestrationPage> ListAsync(DurableTaskClient client, OrchestrationListQuery query, Caller caller, string correlationId, CancellationToken cancellationToken)
    {
        var filter = new OrchestrationQuery { Statuses = query.Statuses, PageSize = query.PageSize, FetchInputsAndOutputs = false };
        await foreach (var page in client.GetAllInstancesAsync(filter).AsPages(query.ContinuationToken, query.PageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await audit.AppendAsync(
                new AuditRecord(caller.UserId, "orchestration.list", "task-hub", "ok", correlationId,
                    new Dictionary<string, string?> { ["status"] = string.Join(',', query.Statuses?.Select(ToApiStatus) ?? []) }),
                cancellationToken).ConfigureAwait(false);
            return new OrchestrationPage([.. page.Values.Select(ToView)], string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }

        return new OrchestrationPage([], null);
    }

    public static async Task<OrchestrationView> GetAsync(DurableTaskClient client, string id, CancellationToken cancellationToken) =>
        ToView(await FindAsync(client, id, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Audited before the change (a termination the log does not show must not happen); the engine applies it
    /// asynchronously, so the answer is 202 with the status URL.
    /// </summary>
    public async Task<TerminationAccepted> TerminateAsync(DurableTaskClient client, string id, string? reason, Caller caller, string correlationId, CancellationToken cancellationToken)
    {
        var instance = await FindAsync(client, id, cancellationToken).ConfigureAwait(false);
        if (instance.IsCompleted)
        {
            throw Problems.Conflict($"The orchestration is already {ToApiStatus(instance.RuntimeStatus)}.");
        }

        await audit.RecordChangeAsync(
            new AuditRecord(caller.UserId, "orchestration.terminate", "orchestration:" + id, AuditedChange.Accepted, correlationId,
                new Dictionary<string, string?> { ["name"] = instance.Name, ["previousStatus"] = ToApiStatus(instance.RuntimeStatus), ["reason"] = reason }),
            token => client.TerminateInstanceAsync(id, new TerminateInstanceOptions { Output = $"Terminated by an admin ({correlationId})." }, token),
            cancellationToken).ConfigureAwait(false);
        return new TerminationAccepted(id, ToApiStatus(instance.RuntimeStatus), StatusUrl(id));
    }

    /// <summary>Validates the query string of the list endpoint.</summary>
    public static OrchestrationListQuery ParseQuery(IReadOnlyDictionary<string, string?> query)
    {
        var errors = new Dictionary<string, string[]>();
        List<OrchestrationRuntimeStatus>? statuses = null;
        if (query.TryGetValue("status", out var status) && !string.IsNullOrEmpty(status))
        {
            statuses = [];
            foreach (var name in status.Split(',', StringSplitOptions.TrimEntries))
            {
                if (Statuses.TryGetValue(name, out var value))
                {
                    statuses.Add(value);
                }
                else
                {
                    errors["status"] = [$"One or more of {string.Join(", ", Statuses.Keys.Order(StringComparer.Ordinal))}, comma-separated."];
                }
            }
        }

        var pageSize = 50;
        if (query.TryGetValue("pageSize", out var size) && size is not null
            && (!int.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > 100))
        {
            errors["pageSize"] = ["An integer from 1 to 100."];
        }

        query.TryGetValue("continuation", out var continuation);
        if (continuation?.Length > MaxTokenLength)
        {
            errors["continuation"] = [$"At most {MaxTokenLength} characters."];
        }

        if (errors.Count > 0)
        {
            throw Problems.Validation(errors, "Some query parameters are invalid.");
        }

        return new OrchestrationListQuery(statuses, pageSize, string.IsNullOrEmpty(continuation) ? null : continuation);
    }

    private static async Task<OrchestrationMetadata> FindAsync(DurableTaskClient client, string id, CancellationToken cancellationToken) =>
        (id.Length is > 0 and <= MaxIdLength ? await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) : null)
        ?? throw Problems.NotFound("No such orchestration.");

    private static OrchestrationView ToView(OrchestrationMetadata instance) => new(
        instance.InstanceId, instance.Name, ToApiStatus(instance.RuntimeStatus), instance.CreatedAt, instance.LastUpdatedAt);
}

/// <summary>A validated list query; <c>Statuses</c> null means all.</summary>
public sealed record OrchestrationListQuery(IReadOnlyList<OrchestrationRuntimeStatus>? Statuses, int PageSize, string? ContinuationToken);
