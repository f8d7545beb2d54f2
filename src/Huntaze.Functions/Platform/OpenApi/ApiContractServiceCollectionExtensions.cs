using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Functions.Platform.OpenApi;

public static class ApiContractServiceCollectionExtensions
{
    /// <summary>The OpenAPI document served at <c>GET /api/openapi.json</c> (docs/api/openapi.json is its committed copy).</summary>
    public static IServiceCollection AddApiContract(this IServiceCollection services)
    {
        services.AddSingleton<ApiContract>();
        return services;
    }
}
