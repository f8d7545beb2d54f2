using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Platform.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Options;

namespace Huntaze.LocalHost.Durable;

/// <summary>The local host's Durable engine: the app's orchestrators and activities, a worker and a client over the chosen provider.</summary>
internal static class DurableRegistration
{
    public static IServiceCollection AddLocalDurable(this IServiceCollection services, IConfiguration configuration, FunctionCatalog catalog, ServiceProviderHolder holder)
    {
        var local = configuration.GetSection(LocalDurableOptions.Section).Get<LocalDurableOptions>() ?? new LocalDurableOptions();
        // The kernel picks the port: the engine's own default (random in 30000-40000, unchecked) collides
        // with Linux's ephemeral range.
        var address = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        if (local.Provider == DurableProvider.InMemory)
        {
            return services.AddInMemoryDurableTask(
                tasks => DurableFunctionRegistry.Register(tasks, catalog, holder),
                new InMemoryDurableTaskOptions { Port = address.Port });
        }

        services.AddSingleton(sp =>
        {
            var hub = sp.GetRequiredService<IOptions<TaskHubOptions>>().Value;
            return new AzureStorageSidecar(address, hub, ResolveConnectionString(configuration, hub), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<AzureStorageSidecar>());
        services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc(grpc =>
            {
                grpc.Address = address.ToString();
                // The sidecar sends no health pings, so an idle work-item stream (a long activity) looks
                // silently disconnected after 120 s and the worker reconnects, dropping what was in flight.
                // Over loopback to our own sidecar there is nothing to detect: off.
                Microsoft.DurableTask.Worker.Grpc.Internal.InternalOptionsExtensions.SetSilentDisconnectTimeout(grpc, TimeSpan.Zero);
            });
            builder.AddTasks(tasks => DurableFunctionRegistry.Register(tasks, catalog, holder));
        });
        services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc(address.ToString());
            builder.RegisterDirectly();
        });
        return services;
    }

    /// <summary>The hub's storage connection; the local host serves development storage, so a connection string.</summary>
    private static string ResolveConnectionString(IConfiguration configuration, TaskHubOptions hub)
    {
        var name = hub.StorageProvider.ConnectionName;
        return StorageConnection.Resolve(configuration, name).ConnectionString
            ?? throw new InvalidOperationException(
                $"The local host runs Durable over a connection string: set '{name}' (the connection named by {TaskHubOptions.Setting("storageProvider:connectionName")}) to one, e.g. UseDevelopmentStorage=true.");
    }
}
