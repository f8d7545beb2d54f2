using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Platform.Health;

/// <summary>Reads one page of tables: proves reachability and data-plane permission.</summary>
internal sealed class TableStorageReadinessCheck(StorageClients storage) : IReadinessCheck
{
    public string Name => "tableStorage";

    public async Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        await foreach (var _ in storage.TableService.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1).ConfigureAwait(false))
        {
            break;
        }

        return new ReadinessResult(ReadinessStatus.Healthy);
    }
}

/// <summary>Reads one page of containers.</summary>
internal sealed class BlobStorageReadinessCheck(StorageClients storage) : IReadinessCheck
{
    public string Name => "blobStorage";

    public async Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        await foreach (var _ in storage.BlobService.GetBlobContainersAsync(cancellationToken: cancellationToken).AsPages(pageSizeHint: 1).ConfigureAwait(false))
        {
            break;
        }

        return new ReadinessResult(ReadinessStatus.Healthy);
    }
}
