using DurableTask.AzureStorage;
using DurableTask.Core;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Platform.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace Huntaze.LocalHost.Durable;

/// <summary>
/// The Durable Task gRPC sidecar over the Azure Storage provider, in a web host of its own on a loopback
/// port: the worker and client of the local host talk to it as the isolated worker talks to the Functions
/// host's Durable extension. Registered before the worker, so it starts first and stops last (a sidecar
/// stopped under a live worker makes the worker retry until its own stop times out).
/// </summary>
internal sealed partial class AzureStorageSidecar(
    Uri address,
    TaskHubOptions hub,
    string connectionString,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private AzureStorageOrchestrationService? _provider;
    private SidecarOrchestrationService? _service;
    private WebApplication? _app;

    /// <summary>The provider settings for a hub: the hub's own values, nothing local-only hidden here.</summary>
    public static AzureStorageOrchestrationServiceSettings CreateSettings(TaskHubOptions hub, string connectionString, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var storage = hub.StorageProvider;
        return new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = hub.HubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            PartitionCount = storage.PartitionCount,
            MaxQueuePollingInterval = storage.MaxQueuePollingInterval,
            ControlQueueVisibilityTimeout = storage.ControlQueueVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = storage.WorkItemQueueVisibilityTimeout,
            LoggerFactory = loggerFactory,
        };
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The provider (and the task hub in storage) start when the worker connects; storage may be down now.
        _provider = new AzureStorageOrchestrationService(CreateSettings(hub, connectionString, loggerFactory));
        _service = new SidecarOrchestrationService(
            _provider, hub.StorageProvider.WorkItemQueueVisibilityTimeout / 3, time, loggerFactory.CreateLogger<SidecarOrchestrationService>());

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls(address.ToString());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(_service);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(_provider);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        _app = builder.Build();
        _app.MapGrpcService<TaskHubGrpcServer>();
        // Resolved before start: the server hooks the host's started/stopping events in its constructor
        // (it starts the provider's dispatchers once the worker's work-item stream connects).
        _ = _app.Services.GetRequiredService<TaskHubGrpcServer>();
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_service is not null)
        {
            // Releases the partition leases now, so a restarted host takes them over without waiting for expiry.
            // Best effort: with storage down or slow the host's stop timeout can end the wait, and leases not
            // released expire on their own; the stop itself must not fail for it.
            try
            {
                await _service.StopAsync(isForced: false).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                LogLeasesNotReleased(loggerFactory.CreateLogger<AzureStorageSidecar>());
            }
        }
    }

    [LoggerMessage(EventId = 9205, Level = LogLevel.Warning, Message = "The Durable provider had not released its partition leases when the host's stop timeout ended; they expire on their own")]
    private static partial void LogLeasesNotReleased(ILogger logger);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _service?.Dispose();
        _provider?.Dispose();
    }
}
