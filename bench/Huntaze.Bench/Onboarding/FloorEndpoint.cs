using Azure.Data.Tables;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Bench.Onboarding;

/// <summary>
/// The least an HTTP endpoint serving the guide can cost: a bare Kestrel server in the bench process (no pipeline,
/// no authentication, no limiter, no flags) that does the raw column's point read and answers a body as long as the
/// API's GET, with the entity's ETag. Against the raw point read, it prices the HTTP hop alone (the client, Kestrel,
/// loopback TCP); against it, the API prices the app's own work (docs/performance.md).
/// </summary>
internal sealed class FloorEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, HttpClient> _clients = [];

    private FloorEndpoint(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="body">What to answer: the API's GET body for a bench user, so both write the same bytes.</param>
    public static async Task<FloorEndpoint> StartAsync(TableClient table, byte[] body, CancellationToken cancellationToken)
    {
        var builder = LoopbackServer.CreateBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var app = builder.Build();
        app.MapGet("/floor/{user}", async (string user, HttpContext http) =>
        {
            var entity = await table.GetEntityAsync<TableEntity>(user, ProgressEntities.GuideKey(user), cancellationToken: http.RequestAborted);
            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.ContentLength = body.Length;
            http.Response.Headers.ETag = $"\"{entity.Value.ETag}\"";
            await http.Response.Body.WriteAsync(body, http.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        var address = LoopbackServer.AddressOf(app);
        return new FloorEndpoint(app, address);
    }

    /// <summary>A GET of <paramref name="user"/>'s guide through the floor endpoint (the client sends the user's token, as the API's does).</summary>
    public Func<Task<bool>> Get(string user, string token)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        _clients[user] = client;
        var path = PathOf(user);
        return async () =>
        {
            using var response = await client.GetAsync(path);
            return response.IsSuccessStatusCode;
        };
    }

    /// <summary>The floor's path for <paramref name="user"/>'s guide.</summary>
    public static string PathOf(string user) => $"/floor/{Uri.EscapeDataString(user)}";

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
