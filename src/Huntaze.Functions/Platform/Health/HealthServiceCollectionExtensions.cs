using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Functions.Platform.Health;

public static class HealthServiceCollectionExtensions
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section)
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromSeconds(10), "Health:Timeout must be between 0 and 10 seconds.")
            .Validate(o => o.CacheFor >= TimeSpan.Zero && o.CacheFor <= TimeSpan.FromSeconds(30), "Health:CacheFor must be between 0 and 30 seconds.")
            .ValidateOnStart();
        services.AddSingleton<ReadinessService>();
        services.AddSingleton<IReadinessCheck, TableStorageReadinessCheck>();
        services.AddSingleton<IReadinessCheck, BlobStorageReadinessCheck>();
        return services;
    }
}
