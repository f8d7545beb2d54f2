using Huntaze.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>One local host, in this process, on a free loopback port.</summary>
public sealed class LocalHostInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalHostInstance(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The host's own container: what the functions resolve.</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<LocalHostInstance> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var app = LocalHostApp.Build(["--urls", "http://127.0.0.1:0"], new LocalHostOptions
        {
            ExtraFunctionAssemblies = [typeof(LocalHostInstance).Assembly],
            Settings = settings,
            UseLocalSettingsFile = false,
            PrintFunctionTable = false,
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalHostInstance(app, new Uri(address));
    }

    /// <summary>A client whose every response is checked for the headers all responses must carry.</summary>
    public HttpClient CreateClient() => new(new ResponseInvariantsHandler { InnerHandler = new HttpClientHandler { UseCookies = false } })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
