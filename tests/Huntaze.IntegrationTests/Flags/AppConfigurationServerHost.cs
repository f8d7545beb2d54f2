using Huntaze.LocalHost;
using Huntaze.UnitTests.Flags;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Huntaze.IntegrationTests.Flags;

/// <summary>
/// <see cref="FakeAppConfigurationServer"/> served over real HTTP on a loopback port, so the app's own client
/// (pipeline, transport, retries, signing) talks to it as to App Configuration. A write the server loses is
/// answered by aborting the connection after it committed.
/// </summary>
public sealed class AppConfigurationServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AppConfigurationServerHost(WebApplication app, FakeAppConfigurationServer server, Uri endpoint)
    {
        _app = app;
        Server = server;
        Endpoint = endpoint;
    }

    internal FakeAppConfigurationServer Server { get; }

    public Uri Endpoint { get; }

    public string ConnectionString =>
        $"Endpoint={Endpoint.GetLeftPart(UriPartial.Authority)};Id={FakeAppConfigurationServer.Credential};Secret={Convert.ToBase64String(FakeAppConfigurationServer.Secret)}";

    public static async Task<AppConfigurationServerHost> StartAsync(CancellationToken cancellationToken)
    {
        var server = new FakeAppConfigurationServer();
        var app = await LoopbackServer.StartAsync(a => a.Run(async context => await ForwardAsync(context, server)), cancellationToken);
        return new AppConfigurationServerHost(app, server, LoopbackServer.AddressOf(app));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Server.Dispose();
    }

    private static async Task ForwardAsync(HttpContext context, FakeAppConfigurationServer server)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri($"http://{request.Host}{request.Path.ToUriComponent()}{request.QueryString}"));
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length > 0 || request.ContentType is not null)
        {
            message.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        HttpResponseMessage response;
        try
        {
            using var invoker = new HttpMessageInvoker(server, disposeHandler: false);
            response = await invoker.SendAsync(message, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            context.Abort();
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                context.Response.Headers[name] = values.ToArray();
            }

            context.Response.Headers.Remove("Content-Length");
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
