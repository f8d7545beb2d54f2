using Huntaze.Functions.Platform.Configuration;
using Huntaze.Functions.Security.Csrf;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Functions.Privacy.Consent;

public static class ConsentServiceCollectionExtensions
{
    /// <summary>
    /// Consent records (store, service, options), the anonymous consent cookie as a CSRF-bound anonymous session,
    /// and the banner. The decisions built on consent are in <see cref="ProcessingPermissions"/> (AddPrivacy).
    /// </summary>
    public static IServiceCollection AddConsent(this IServiceCollection services)
    {
        services.AddValidatedOptions<ConsentOptions, ConsentOptionsValidator>(ConsentOptions.Section)
            .PostConfigure(options =>
            {
                if (options.Policies.Count == 0)
                {
                    options.Policies.Add(new ConsentPolicy { Version = ConsentOptions.DefaultPolicyVersion });
                }
            });
        services.AddSingleton<ConsentStore>();
        services.AddSingleton<ConsentService>();
        services.AddSingleton(new AnonymousSessionCookie(ConsentCookie.Name));
        return services;
    }
}
