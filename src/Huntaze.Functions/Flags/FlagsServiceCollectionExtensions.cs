using Azure.Core;
using Azure.Identity;
using Huntaze.Functions.Flags.Admin;
using Huntaze.Functions.Flags.AppConfiguration;
using Huntaze.Functions.Flags.Evaluation;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Configuration;
using Huntaze.Functions.Platform.Health;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.FeatureManagement;

namespace Huntaze.Functions.Flags;

public static class FlagsServiceCollectionExtensions
{
    /// <summary>
    /// Flags: the store (App Configuration when configured, else Table Storage), the snapshot sync and poller,
    /// evaluation with Microsoft.FeatureManagement, the kill switch and the admin services.
    /// </summary>
    public static IServiceCollection AddFlags(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<FlagsOptions, FlagsOptionsValidator>(FlagsOptions.Section);

        var appConfiguration = configuration.GetSection(FlagsOptions.Section).Get<FlagsOptions>()?.AppConfiguration ?? new AppConfigurationOptions();
        if (appConfiguration.IsConfigured)
        {
            services.AddSingleton(sp => CreateClient(sp, sp.GetRequiredService<IOptions<FlagsOptions>>().Value.AppConfiguration));
            services.AddSingleton<IFlagStore>(sp => new AppConfigurationFlagStore(
                sp.GetRequiredService<AppConfigurationClient>(), sp.GetRequiredService<IOptions<FlagsOptions>>().Value.AppConfiguration.Label));
        }
        else
        {
            services.AddSingleton<IFlagStore>(sp => new TableFlagStore(sp.GetRequiredService<StorageClients>()));
        }

        services.AddSingleton<SnapshotBlobStore>();
        services.AddSingleton<FlagSyncStatusStore>();
        services.AddSingleton<FlagState>();
        services.AddSingleton<IKillSwitch, KillSwitch>();
        services.AddSingleton<SnapshotPublisher>();
        services.AddSingleton<IFlagPublisher>(sp => sp.GetRequiredService<SnapshotPublisher>());
        services.AddSingleton<FlagSync>();
        services.AddSingleton<SnapshotPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<SnapshotPoller>());
        services.AddSingleton<IReadinessCheck, FlagsReadinessCheck>();

        services.AddFeatureManagement()
            .AddFeatureFilter<PreboundTargetingFilter>()
            .AddFeatureFilter<ClockedTimeWindowFilter>()
            .AddFeatureFilter<UnsupportedFilter>();
        // After AddFeatureManagement: the last registration is the one resolved, whatever the library registers.
        services.AddSingleton<IFeatureDefinitionProvider, SnapshotFeatureDefinitionProvider>();
        services.AddSingleton<IFeatureGate, FeatureGate>();
        // A factory, so the container's build-time validation does not require IAuditLog (Security registers it)
        // in hosts or tests that never use the admin API; resolving it without an audit log still fails loudly.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<FlagAdminService>(sp));
        return services;
    }

    /// <summary>One client per process on Azure.Core's shared transport (no private HttpClient).</summary>
    private static AppConfigurationClient CreateClient(IServiceProvider services, AppConfigurationOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var parsed = AppConfigurationConnectionString.Parse(options.ConnectionString);
            var endpoint = options.Endpoint is { IsAbsoluteUri: true } configured ? configured : parsed.Endpoint;
            var signing = new HmacSigningPolicy(parsed.Credential, parsed.Secret, services.GetRequiredService<TimeProvider>());
            return new AppConfigurationClient(endpoint, signing, new AppConfigurationClientOptions(options));
        }

        var authentication = AppConfigurationClientOptions.Bearer(services.GetRequiredService<TokenCredential>());
        if (!string.IsNullOrWhiteSpace(options.WriterClientId))
        {
            // Admin flag writes use the flag-admin identity; the app's own identity only reads (ADR 0013).
            var writer = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.WriterClientId));
            authentication = new ReadWriteAuthenticationPolicy(authentication, AppConfigurationClientOptions.Bearer(writer));
        }

        return new AppConfigurationClient(options.Endpoint!, authentication, new AppConfigurationClientOptions(options));
    }
}
