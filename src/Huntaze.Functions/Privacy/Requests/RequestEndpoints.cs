using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary>What the user and DPO endpoints share: starting the workflow, the status with progress, the download.</summary>
public sealed class RequestEndpoints(ExportBlobs exports, PrivacyRequestService service, TimeProvider time)
{
    /// <summary>Makes sure the request's orchestration exists (a retried or duplicate POST never starts a second one).</summary>
    public static async Task StartAsync(DurableTaskClient client, PrivacyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        if (!request.IsOpen)
        {
            return;
        }

        var instanceId = RequestIds.InstanceId(request.Id);
        if (await client.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                PrivacyRequestOrchestration.Orchestrator, new DsrInput(request.Id), new StartOrchestrationOptions(instanceId), cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A concurrent duplicate may have scheduled it between our read and our start: fine if so, else rethrow.
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            if (await client.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is null)
            {
                throw;
            }
        }
    }

    /// <summary>202 with the status URL for a new request; 200 with the open identical one.</summary>
    public async Task<IActionResult> OpenedAsync(DurableTaskClient client, PrivacyRequest request, bool created, bool forDpo, CancellationToken cancellationToken)
    {
        await StartAsync(client, request, cancellationToken).ConfigureAwait(false);
        var view = RequestView.Of(request, time.GetUtcNow(), forDpo);
        return created ? ApiResult.Accepted(view, view.StatusUrl) : ApiResult.Ok(view);
    }

    public async Task<RequestView> ViewAsync(DurableTaskClient client, PrivacyRequest request, bool forDpo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        DsrProgress? progress = null;
        if (request.IsOpen)
        {
            var instance = await client.GetInstanceAsync(RequestIds.InstanceId(request.Id), getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            progress = instance?.ReadCustomStatusAs<DsrProgress>();
        }

        return RequestView.Of(request, time.GetUtcNow(), forDpo, progress);
    }

    /// <summary>Streams the archive; 410 once expired or deleted, 409 while it is being made.</summary>
    public async Task<IActionResult> DownloadAsync(PrivacyRequest request, string actor, string correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Type is not (RequestType.Access or RequestType.Portability))
        {
            throw Problems.NotFound("This request has no export.");
        }

        if (request.ExportExpiresAt is not { } expires)
        {
            throw Problems.Conflict($"The export is not ready yet (the request is {RequestStore.Snake(request.Status)}); follow the status URL.");
        }

        var archive = time.GetUtcNow() >= expires ? null : await exports.OpenArchiveAsync(request.Id, cancellationToken).ConfigureAwait(false);
        if (archive is not { } open)
        {
            throw Problems.Gone($"The export expired on {expires:yyyy-MM-dd} and was deleted; open a new request.", expires);
        }

        await service.AuditDownloadAsync(actor, request, correlationId, cancellationToken).ConfigureAwait(false);
        return new ArchiveResult(open.Content, open.Length, $"huntaze-export-{request.Id[^12..]}.zip");
    }
}

/// <summary>Streams a blob to the response (no buffering of the whole archive).</summary>
public sealed class ArchiveResult(Stream content, long length, string fileName) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        await using (content.ConfigureAwait(false))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/zip";
            response.ContentLength = length;
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await content.CopyToAsync(response.Body, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
