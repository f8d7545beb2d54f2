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
    /// refusals stay readable by allowed front ends), audit of refusals (wrapping everything after it),
    /// authentication, authorization, CSRF, rate limiting.
    /// </summary>
    public static IServiceCollection AddSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => SecurityEnvironment.Resolve(configuration, sp.GetService<IHostEnvironment>()));

        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddOptions<RateLimitOptions>()
            .Configure<IConfiguration>((o, c) => c.GetSection(RateLimitOptions.Section).Bind(o.Policies))
            .Validate(o => o.IsValid(out _), "Every RateLimits policy needs Limit >= 1 and WindowSeconds between 1 and 2678400.")
            .ValidateOnStart();

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

        services.TryAddSingleton<IRateLimitStore, TableRateLimitStore>();
        services.AddSingleton<RateLimiter>();
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.AddSingleton<AuditDetailsBlobs>();
        services.TryAddSingleton<IAuditLog, TableAuditLog>();
        services.AddSingleton<AuditReader>();
        services.AddSingleton<DenialRecorder>();
        services.AddSingleton<DenialStore>();
        services.AddSingleton<DenialFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<DenialFlusher>());
        services.AddHostedService<CsrfKeyCheck>();

        services.AddHttpPipelineStep<CorsStep>();
        services.AddHttpPipelineStep<AuditDenialsStep>();
        services.AddHttpPipelineStep<AuthenticationStep>();
        services.AddHttpPipelineStep<AuthorizationStep>();
        services.AddHttpPipelineStep<CsrfStep>();
        services.AddHttpPipelineStep<RateLimitStep>();
        return services;
    }
}

/// <summary>Validation that depends on the environment (the development key is Development-only).</summary>
internal sealed class AuthOptionsValidator(SecurityEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        AuthOptions.IsValid(options, environment, out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
}

/// <summary>Origins must be exact; a configured CSRF key must be strong (absent, <see cref="CsrfKeyProvider"/> supplies one).</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        if (!SecurityOptions.AreOriginsValid(options))
        {
            return ValidateOptionsResult.Fail("Security:AllowedOrigins must hold absolute http(s) origins without path, query or wildcard.");
        }

        // The value is a secret: the message names its decoded length, never the key.
        var key = options.CsrfSigningKey;
        var buffer = new byte[key?.Length ?? 0];
        return string.IsNullOrWhiteSpace(key) || AuthOptions.IsStrongKey(key)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(Convert.TryFromBase64String(key, buffer, out var length)
                ? $"Security:CsrfSigningKey decodes to {length} bytes; it must be base64 of at least {Csrf.CsrfTokens.MinKeyBytes} bytes."
                : $"Security:CsrfSigningKey is not base64; it must be base64 of at least {Csrf.CsrfTokens.MinKeyBytes} bytes.");
    }
}
