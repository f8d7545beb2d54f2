using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Onboarding.Migrations;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.Functions.Onboarding;

public static class OnboardingServiceCollectionExtensions
{
    /// <summary>
    /// The onboarding feature: catalog (validated at start), progress store, services, events. Needs
    /// <c>IFeatureGate</c>/<c>IKillSwitch</c> (Flags) and <c>IAuditLog</c> (Security) from their features.
    /// </summary>
    public static IServiceCollection AddOnboarding(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<OnboardingOptions, OnboardingOptionsValidator>(OnboardingOptions.Section);

        // Loaded while the host is composed: an invalid catalog stops start-up with errors naming each bad entry.
        services.AddSingleton(StepCatalogLoader.LoadEmbedded());
        services.AddSingleton<HeldGuides>();
        services.AddSingleton<IProgressStore, TableProgressStore>();
        services.AddSingleton<OnboardingAccess>();
        services.AddSingleton<GuideViews>();
        services.AddSingleton<OnboardingService>();
        services.AddSingleton<StepWriteService>();
        services.AddSingleton<GuideStateService>();
        services.AddSingleton<OnboardingAdminService>();
        services.AddSingleton<MigrationService>();
        services.AddSingleton<IOnboardingEventPublisher, OnboardingEventPublisher>();
        services.AddSingleton<IOnboardingEventSink, TelemetryEventSink>();
        return services;
    }
}
