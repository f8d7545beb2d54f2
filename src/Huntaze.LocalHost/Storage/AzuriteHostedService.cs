using Huntaze.Functions.Platform.Storage;
using Huntaze.LocalHost.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.LocalHost.Storage;

/// <summary>
/// When the app's storage is <c>UseDevelopmentStorage=true</c> and nothing answers on Azurite's
/// default ports, starts Azurite with data under the repository's git-ignored <c>.azurite/</c>, and
/// stops it on exit. Registered first, so storage is up before any other hosted service starts.
/// </summary>
internal sealed partial class AzuriteHostedService(IConfiguration configuration, IOptions<StorageOptions> options, ILogger<AzuriteHostedService> logger) : IHostedService
{
    private AzuriteProcess? _azurite;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connection = configuration[options.Value.Connection];
        if (!string.Equals(connection?.Trim().TrimEnd(';'), "UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (await AzuriteProcess.IsListeningAsync(AzuritePorts.Default, cancellationToken).ConfigureAwait(false))
        {
            LogAlreadyRunning(logger);
            return;
        }

        var location = Path.Combine(RepositoryPaths.FindRoot() ?? AppContext.BaseDirectory, ".azurite");
        _azurite = await AzuriteProcess.StartAsync(AzuritePorts.Default, location, cancellationToken).ConfigureAwait(false);
        LogStarted(logger, location);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().ConfigureAwait(false);
            LogStopped(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Azurite already answers on ports 10000-10002; using it")]
    private static partial void LogAlreadyRunning(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started Azurite with data in {Location}")]
    private static partial void LogStarted(ILogger logger, string location);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped Azurite")]
    private static partial void LogStopped(ILogger logger);
}
