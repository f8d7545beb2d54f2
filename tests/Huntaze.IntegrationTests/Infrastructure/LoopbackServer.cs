using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>A minimal ASP.NET Core app on a free 127.0.0.1 port, for stand-ins of the Azure APIs the app or the tools call.</summary>
public static class LoopbackServer
{
    /// <summary>Builds the app, lets <paramref name="map"/> add its endpoints, starts it; its address is <c>app.Urls.First()</c>.</summary>
    public static async Task<WebApplication> StartAsync(Action<WebApplication> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        return app;
    }
}
