using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Flags.Propagation;

/// <summary>The health of the source → snapshot sync: what readiness reports. <see cref="Since"/> is when it became so.</summary>
public sealed record FlagSyncStatus(bool Healthy, string Source, DateTimeOffset Since, string? Error)
{
    public bool SameAs(FlagSyncStatus other) => Healthy == other.Healthy && Source == other.Source && Error == other.Error;
}

/// <summary>That the sync still runs: when it last ran and last succeeded.</summary>
public sealed record FlagSyncHeartbeat(DateTimeOffset CheckedAt, DateTimeOffset? LastSuccessAt);

/// <summary>
/// Where the sync reports. The status is the blob <c>flags/sync-status.json</c>, written only when it changes:
/// the account keeps every blob version, and a blob rewritten each minute made ~1,440 versions a day. The
/// heartbeat, which changes every run, is a row in table <c>flagsync</c> (tables keep no versions).
/// </summary>
public sealed class FlagSyncStatusStore(StorageClients storage)
{
    public const string StatusBlob = "sync-status.json";
    public const string HeartbeatTable = "flagsync";
    private const string Key = "sync";

    public async Task<FlagSyncStatus?> ReadStatusAsync(CancellationToken cancellationToken)
    {
        var container = await storage.GetContainerAsync(SnapshotBlobStore.Container, cancellationToken).ConfigureAwait(false);
        try
        {
            var content = (await container.GetBlobClient(StatusBlob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            return content.ToObjectFromJson<FlagSyncStatus>(JsonSerializerOptions.Web);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async Task WriteStatusAsync(FlagSyncStatus status, CancellationToken cancellationToken)
    {
        var container = await storage.GetContainerAsync(SnapshotBlobStore.Container, cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(StatusBlob).UploadAsync(BinaryData.FromObjectAsJson(status, JsonSerializerOptions.Web), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<FlagSyncHeartbeat?> ReadHeartbeatAsync(CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(HeartbeatTable, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Key, Key, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value!.GetDateTimeOffset("CheckedAt") is { } checkedAt
            ? new FlagSyncHeartbeat(checkedAt, row.Value.GetDateTimeOffset("LastSuccessAt"))
            : null;
    }

    /// <summary>Unconditional: the sync is a singleton, and the last run's time is what counts.</summary>
    public async Task WriteHeartbeatAsync(FlagSyncHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(HeartbeatTable, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(
            new TableEntity(Key, Key) { ["CheckedAt"] = heartbeat.CheckedAt, ["LastSuccessAt"] = heartbeat.LastSuccessAt },
            TableUpdateMode.Replace,
            cancellationToken).ConfigureAwait(false);
    }
}
