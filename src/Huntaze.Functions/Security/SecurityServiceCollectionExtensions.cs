using Huntaze.Functions.Platform.Configuration;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security.Audit;
using Huntaze.Functions.Security.Audit.Denials;
using Huntaze.Functions.Security.Authentication;
using Huntaze.Functions.Security.Authorization;
using Huntaze.Functions.Security.Cors;
using Huntaze.Functions.Security.Csrf;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Huntaze.Functions.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Identity, the security pipeline steps and the audit log. Step order is pipeline order: CORS (so
    /// refusals stay readable by allowed front ends), the denial stream (counting refusals of everything after it),
    /// authentication, authorization, CSRF, rate limiting.
    /// </summary>
    public static IServiceCollection AddSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => SecurityEnvironment.Resolve(configuration, sp.GetService<IHostEnvironment>()));

        services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(AuthOptions.Section);
        services.AddValidatedOptions<SecurityOptions, SecurityOptionsValidator>(SecurityOptions.Section);
        services.AddValidatedOptions<RateLimitOptions, RateLimitOptionsValidator>(RateLimitOptions.Section, (o, section) => section.Bind(o.Policies));

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
            var environment = sp.GetRequiredService<SecurityEnvironment>();
            IConfigurationManager<OpenIdConnectConfiguration>? metadata = string.IsNullOrWhiteSpace(options.Authority)
                ? null
                : new ConfigurationManager<OpenIdConnectConfiguration>(
                    options.Authority.TrimEnd('/') + "/.well-known/openid-configuration",
                    new OpenIdConnectConfigurationRetriever(),
                    new HttpDocumentRetriever { RequireHttps = true });
            return new TokenValidator(options, environment.IsDevelopment, metadata, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<CsrfKeyProvider>();
        services.AddSingleton<CsrfBindings>();

        services.TryAddSingleton<IRateLimitStore, TableRateLimitStore>();
        services.AddSingleton<RateLimiter>();
        services.TryAddSingleton<IAuditProtector, UnprotectedAudit>();
        services.AddValidatedOptions<AuditOptions, AuditOptionsValidator>(AuditOptions.Section);
        services.AddSingleton<AuditDetailsBlobs>();
        services.TryAddSingleton<IAuditLog, TableAuditLog>();
        services.AddSingleton<AuditReader>();
        services.AddSingleton<DenialRecorder>();
        services.AddSingleton<DenialStore>();
        services.AddSingleton<DenialFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<DenialFlusher>());
        services.AddHostedService<CsrfKeyCheck>();

        services.AddHttpPipelineStep<CorsStep>();
        services.AddProblemObserver<DenialObserver>();
        services.AddHttpPipelineStep<AuthenticationStep>();
        services.AddHttpPipelineStep<AuthorizationStep>();
        services.AddHttpPipelineStep<CsrfStep>();
        services.AddHttpPipelineStep<RateLimitStep>();
        return services;
    }
}
