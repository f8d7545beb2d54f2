using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Platform.Storage;
using Huntaze.LocalHost.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.LocalHost.Storage;

/// <summary>
/// When the app's storage is <c>UseDevelopmentStorage=true</c>: starts Azurite with data under the
/// repository's git-ignored <c>.azurite/</c> and stops it on exit, or, when an Azurite already listens on
/// its ports, joins it and says so loudly (its data, flags and task hub are shared with whoever started
/// it). Registered first, so storage is up before any other hosted service starts.
/// </summary>
internal sealed partial class AzuriteHostedService(
    IConfiguration configuration,
    IOptions<StorageOptions> options,
    IOptions<TaskHubOptions> hub,
    ILogger<AzuriteHostedService> logger) : IHostedService
{
    private AzuriteProcess? _azurite;

    /// <summary>The ports development storage means (tests point these elsewhere).</summary>
    internal AzuritePorts Ports { get; init; } = AzuritePorts.Default;

    /// <summary>Where a started Azurite keeps its data (default: the repository's .azurite/).</summary>
    internal string? Location { get; init; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connection = configuration[options.Value.Connection];
        if (!string.Equals(connection?.Trim().TrimEnd(';'), "UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (await AzuriteProcess.IsListeningAsync(Ports, cancellationToken).ConfigureAwait(false))
        {
            LogJoined(logger, Ports.Blob, Ports.Table, hub.Value.HubName);
            return;
        }

        var location = Location ?? Path.Combine(RepositoryPaths.FindRoot() ?? AppContext.BaseDirectory, ".azurite");
        _azurite = await AzuriteProcess.StartAsync(Ports, location, cancellationToken).ConfigureAwait(false);
        LogStarted(logger, Ports.Blob, Ports.Table, location);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().ConfigureAwait(false);
            LogStopped(logger);
        }
    }

    [LoggerMessage(EventId = 9301, Level = LogLevel.Warning, Message =
        "Joined the Azurite already listening on 127.0.0.1:{FirstPort}-{LastPort}, not started by this host: its data, flags and task hub {HubName} are shared with whatever else uses it, and it keeps running when this host stops")]
    private static partial void LogJoined(ILogger logger, int firstPort, int lastPort, string hubName);

    [LoggerMessage(EventId = 9302, Level = LogLevel.Information, Message =
        "Started its own Azurite on 127.0.0.1:{FirstPort}-{LastPort} with data in {Location}; it stops (and saves) when this host stops")]
    private static partial void LogStarted(ILogger logger, int firstPort, int lastPort, string location);

    [LoggerMessage(EventId = 9303, Level = LogLevel.Information, Message = "Stopped Azurite (data saved)")]
    private static partial void LogStopped(ILogger logger);
}
