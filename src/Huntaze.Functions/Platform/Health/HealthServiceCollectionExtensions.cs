using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Functions.Platform.Health;

public static class HealthServiceCollectionExtensions
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddValidatedOptions<HealthOptions, HealthOptionsValidator>(HealthOptions.Section);
        services.AddSingleton<ReadinessService>();
        services.AddSingleton<IReadinessCheck, TableStorageReadinessCheck>();
        services.AddSingleton<IReadinessCheck, BlobStorageReadinessCheck>();
        return services;
    }
}
