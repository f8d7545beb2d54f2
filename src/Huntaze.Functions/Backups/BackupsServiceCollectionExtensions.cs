using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Backups.Restore;
using Huntaze.Functions.Backups.Run;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Backups;

public static class BackupsServiceCollectionExtensions
{
    /// <summary>
    /// Backups, restores and the point-in-time journal. Call after <c>AddFlags</c> (the flag store in use is
    /// wrapped to journal its writes) and <c>AddPrivacy</c> (whose erasure re-applier every restore runs).
    /// </summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddValidatedOptions<BackupOptions, BackupOptionsValidator>(BackupOptions.Section);
        services.AddSingleton<WriteJournal>();
        services.AddSingleton<BackupCatalog>();
        services.AddSingleton<BackupService>();
        services.AddSingleton<RestoreState>();
        services.AddSingleton<RestoreService>();
        services.AddSingleton<RestoreStarter>();
        services.AddSingleton<BackupRunStarter>();
        services.AddSingleton<Privacy.Handlers.ISubjectDataHandler, JournalErasureHandler>();
        DecorateFlagStore(services);
        return services;
    }

    /// <summary>Wraps the registered flag store (whichever kind) so that every flag write is journaled.</summary>
    private static void DecorateFlagStore(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IFlagStore));
        if (registered is null)
        {
            return;
        }

        services.Remove(registered);
        services.AddSingleton<IFlagStore>(sp => new JournaledFlagStore(
            Resolve(sp, registered),
            sp.GetRequiredService<WriteJournal>(),
            sp.GetRequiredService<ILogger<JournaledFlagStore>>()));
    }

    private static IFlagStore Resolve(IServiceProvider sp, ServiceDescriptor descriptor) =>
        (IFlagStore)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));
}
