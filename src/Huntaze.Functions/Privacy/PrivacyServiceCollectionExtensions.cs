using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Erasure;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Subjects;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy;

public static class PrivacyServiceCollectionExtensions
{
    /// <summary>
    /// The privacy feature: the Article 30 registry and its data map (which the storage layer enforces),
    /// subject references and the erasure ledger.
    /// </summary>
    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PrivacyOptions>()
            .BindConfiguration(PrivacyOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrivacyOptions>, PrivacyOptionsValidator>();

        services.AddSingleton(_ => DataMap.Create(configuration));
        services.AddSingleton<IDeclaredStores>(sp => sp.GetRequiredService<DataMap>());
        services.AddSingleton<SubjectReferences>();
        services.AddSingleton<IErasureLedger, TableErasureLedger>();
        return services;
    }
}

/// <summary>Names the setting and the value that is wrong.</summary>
internal sealed class PrivacyOptionsValidator : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions options) =>
        options.IsValid(out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
}
