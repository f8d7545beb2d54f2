using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Huntaze.LocalHost;

/// <summary>
/// Web servers on a loopback port the kernel picks: the local host as the tests and benchmarks start it, and the
/// small servers they stand up beside it (a fake App Configuration, alert sinks, the benchmark's floor).
/// </summary>
public static class LoopbackServer
{
    /// <summary>Port 0: the kernel picks a free one at bind time, so parallel tests and benchmarks never collide.</summary>
    private const string Url = "http://127.0.0.1:0";

    /// <summary>The command line that makes <see cref="LocalHostApp.Build"/> listen on a loopback port the kernel picks.</summary>
    public static string[] Arguments => ["--urls", Url];

    /// <summary>A bare Kestrel app, without logging, that will listen on a loopback port the kernel picks.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Url);
        builder.Logging.ClearProviders();
        return builder;
    }

    /// <summary>Builds a bare app, lets <paramref name="map"/> add its endpoints, and starts it (its address: <see cref="AddressOf"/>).</summary>
    public static async Task<WebApplication> StartAsync(Action<WebApplication> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        var app = CreateBuilder().Build();
        map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return app;
    }

    /// <summary>Where a started app listens (the port the kernel picked).</summary>
    public static Uri AddressOf(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }
}
