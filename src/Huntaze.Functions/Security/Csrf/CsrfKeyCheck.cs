using Microsoft.Extensions.Hosting;

namespace Huntaze.Functions.Security.Csrf;

/// <summary>Loads the CSRF key when the app starts: an unusable key stops it there, with a message naming the setting.</summary>
public sealed class CsrfKeyCheck(CsrfKeyProvider keys) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => keys.CheckAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
