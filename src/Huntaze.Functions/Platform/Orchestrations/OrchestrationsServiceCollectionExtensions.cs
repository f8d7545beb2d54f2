using Huntaze.Functions.Platform.Configuration;
using Huntaze.Functions.Platform.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Functions.Platform.Orchestrations;

public static class OrchestrationsServiceCollectionExtensions
{
    /// <summary>
    /// The task hub's identity and provider settings (host.json first, then the Functions host's own override
    /// settings, as that host reads them) and its housekeeping: the admin service and the purge.
    /// </summary>
    public static IServiceCollection AddOrchestrations(this IServiceCollection services)
    {
        // Registered before the binding below, so app settings override host.json.
        services.AddOptions<TaskHubOptions>()
            .Configure(o => HostJson.Load(AppContext.BaseDirectory).GetSection(TaskHubOptions.HostJsonSection).Bind(o));
        services.AddValidatedOptions<TaskHubOptions, TaskHubOptionsValidator>(TaskHubOptions.Section);
        services.AddValidatedOptions<OrchestrationOptions, OrchestrationOptionsValidator>(OrchestrationOptions.Section);
        services.AddSingleton<OrchestrationAdminService>();
        services.AddSingleton<OrchestrationPurge>();
        return services;
    }
}
