using Huntaze.Functions.Backups;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Observability;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Platform.Health;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Security;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Huntaze.Functions;

/// <summary>
/// The composition root of the app, called by the Functions host (Program.cs), the local host and the
/// tests alike: what is tested is what ships.
/// </summary>
public static class HuntazeComposition
{
    public static IServiceCollection AddHuntaze(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddObservability(configuration);
        services.AddHttpPipeline();
        services.AddStorage(configuration);
        services.AddHealth();
        services.AddApiContract();
        services.AddOrchestrations();
        services.AddSecurity(configuration);
        services.AddFlags(configuration);
        services.AddOnboarding(configuration);
        services.AddPrivacy(configuration);
        services.AddBackups();
        services.AddConsent();
        return services;
    }

    /// <summary>Worker middleware for the Functions host; the local host enters the same pipeline itself.</summary>
    public static IFunctionsWorkerApplicationBuilder UseHuntazePipeline(this IFunctionsWorkerApplicationBuilder builder) =>
        HttpPipelineServiceCollectionExtensions.UseHuntazePipeline(builder);
}
