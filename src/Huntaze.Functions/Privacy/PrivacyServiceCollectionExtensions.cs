using Huntaze.Functions.Flags.Evaluation;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Controls;
using Huntaze.Functions.Privacy.Handlers;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Privacy.Retention;
using Huntaze.Functions.Privacy.Workflow;
using Huntaze.Functions.Security.Audit;
using Huntaze.Functions.Privacy.Erasure;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Subjects;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Huntaze.Functions.Platform.Configuration;

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
        services.AddValidatedOptions<PrivacyOptions, PrivacyOptionsValidator>(PrivacyOptions.Section);

        services.AddSingleton(_ => DataMap.Create(configuration));
        services.AddSingleton<IDeclaredStores>(sp => sp.GetRequiredService<DataMap>());
        services.AddSingleton<SubjectReferences>();
        services.AddSingleton<SubjectKeys>();
        services.AddSingleton<IErasureLedger, TableErasureLedger>();
        services.AddSingleton<IErasureReapplier, ErasureReapplier>();

        // Crypto-shredding of the audit log (replaces Security's pass-through protector).
        services.AddSingleton<IAuditProtector, SubjectAuditProtector>();

        // Restriction and objection: one in-memory view answers onboarding writes; with consent (AddConsent) it
        // makes the one event filter and the flag gate's objection check.
        services.AddSingleton<ControlsIndexBlob>();
        services.AddSingleton<ControlsView>();
        services.AddHostedService(sp => sp.GetRequiredService<ControlsView>());
        services.AddSingleton<IProcessingRestriction>(sp => sp.GetRequiredService<ControlsView>());
        services.AddSingleton<ProcessingPermissions>();
        services.AddSingleton<IRolloutObjections>(sp => sp.GetRequiredService<ProcessingPermissions>());
        services.AddSingleton<IOnboardingEventFilter>(sp => sp.GetRequiredService<ProcessingPermissions>());
        services.AddSingleton<PrivacyControls>();

        // Data-subject requests.
        services.AddSingleton<ISubjectDataHandler, ProgressHandler>();
        services.AddSingleton<ISubjectDataHandler, AuditHandler>();
        services.AddSingleton<ISubjectDataHandler, FlagTargetingHandler>();
        services.AddSingleton<ISubjectDataHandler, RateLimitHandler>();
        services.AddSingleton<ISubjectDataHandler, DenialsHandler>();
        services.AddSingleton<ISubjectDataHandler, RequestHandler>();
        services.AddSingleton<ISubjectDataHandler, ControlsHandler>();
        services.AddSingleton<ISubjectDataHandler, ExportsHandler>();
        services.AddSingleton<ISubjectDataHandler, ConsentHandler>();
        services.AddSingleton<SubjectScanner>();
        services.AddSingleton<RequestStore>();
        services.AddSingleton<ExportBlobs>();
        services.AddSingleton<PrivacyRequestService>();
        services.AddSingleton<RequestEndpoints>();
        services.AddSingleton<RequestWorkflow>();
        services.AddSingleton<RetentionService>();
        return services;
    }
}
