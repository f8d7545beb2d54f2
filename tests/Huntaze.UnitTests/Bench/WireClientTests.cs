using System.Collections.Concurrent;
using Huntaze.Bench.Onboarding;
using Huntaze.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Huntaze.UnitTests.Bench;

/// <summary>
/// The benchmark's load generator reads what Kestrel writes (not what it writes itself): a chunked body, a sized one, a
/// 304 without a body, a problem, a connection the server closes. A misread would hang the next request or count a
/// success as a failure, so each case sends a second request on the same client.
/// </summary>
public sealed class WireClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ConcurrentBag<string> _connections = [];
    private readonly TaskCompletionSource _drop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _server;
    private Uri _address = null!;

    public async ValueTask InitializeAsync()
    {
        _server = LoopbackServer.CreateBuilder().Build();
        _server.Use((http, next) =>
        {
            _connections.Add(http.Connection.Id);
            return next(http);
        });
        _server.MapGet("/chunked", async (HttpContext http) =>
        {
            http.Response.Headers.ETag = "\"v1\"";
            for (var i = 0; i < 3; i++)
            {
                await http.Response.WriteAsync(new string('x', 5000), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        });
        _server.MapGet("/sized", (HttpContext http) =>
        {
            http.Response.ContentLength = 2;
            return http.Response.WriteAsync("ok", http.RequestAborted);
        });
        _server.MapGet("/not-modified", (HttpContext http) =>
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            http.Response.Headers.ETag = "\"v1\"";
            return Task.CompletedTask;
        });
        _server.MapGet("/problem", () => Results.Problem(title: "Nothing here", statusCode: 404));
        _server.MapGet("/closing", (HttpContext http) =>
        {
            http.Response.Headers.Connection = "close";
            return http.Response.WriteAsync("bye", http.RequestAborted);
        });
        _server.MapGet("/dropping", async (HttpContext http) =>
        {
            // Answered in full, then, once the test has read the answer, the connection dropped without a
            // "Connection: close" (as a server closing an idle one does). Aborting any earlier could reset the
            // connection before the answer reached the client, which is a different case.
            http.Response.ContentLength = 3;
            await http.Response.WriteAsync("bye", http.RequestAborted);
            await http.Response.CompleteAsync();
            await _drop.Task.WaitAsync(Patience, http.RequestAborted);
            http.Abort();
            _dropped.TrySetResult();
        });
        await _server.StartAsync(TestContext.Current.CancellationToken);
        _address = LoopbackServer.AddressOf(_server);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync(CancellationToken.None);
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task SendAsync_ChunkedAnswer_ReadToItsEndOnOneConnection()
    {
        using var client = new WireClient(_address);

        var first = await SendAsync(client, "/chunked", wantETag: true);
        var second = await SendAsync(client, "/sized");

        Assert.Equal((200, "\"v1\"", null), (first.Status, first.ETag, first.Body));
        Assert.Equal(200, second.Status);
        Assert.Single(_connections.Distinct());
    }

    [Fact]
    public async Task SendAsync_NotModified_AnsweredWithoutWaitingForABody()
    {
        using var client = new WireClient(_address);

        var notModified = await SendAsync(client, "/not-modified", wantETag: true);
        var next = await SendAsync(client, "/sized");

        Assert.Equal((304, "\"v1\""), (notModified.Status, notModified.ETag));
        Assert.Equal(200, next.Status);
        Assert.Single(_connections.Distinct());
    }

    [Fact]
    public async Task SendAsync_ProblemAnswer_ReturnsItsBodyAndType()
    {
        using var client = new WireClient(_address);

        var problem = await SendAsync(client, "/problem");

        Assert.False(problem.IsSuccess);
        Assert.Equal(404, problem.Status);
        Assert.StartsWith("application/problem+json", problem.ContentType, StringComparison.Ordinal);
        Assert.Contains("\"title\":\"Nothing here\"", problem.Body, StringComparison.Ordinal);
        Assert.Equal(200, (await SendAsync(client, "/sized")).Status);
    }

    [Fact]
    public async Task SendAsync_ServerClosedTheConnection_NextRequestOnANewOne()
    {
        using var client = new WireClient(_address);

        var closing = await SendAsync(client, "/closing");
        var next = await SendAsync(client, "/sized");

        Assert.Equal((200, 200), (closing.Status, next.Status));
        Assert.Equal(2, _connections.Distinct().Count());
    }

    [Fact]
    public async Task SendAsync_ConnectionDroppedWithoutWarning_SentAgainOnANewOne()
    {
        using var client = new WireClient(_address);

        var dropping = await SendAsync(client, "/dropping");
        _drop.SetResult();
        await _dropped.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        var next = await SendAsync(client, "/sized");

        Assert.Equal((200, 200), (dropping.Status, next.Status));
        Assert.Equal(2, _connections.Distinct().Count());
    }

    private Task<WireResponse> SendAsync(WireClient client, string path, bool wantETag = false) =>
        client.SendAsync(WireClient.Request(_address, "GET", path, []), wantETag).WaitAsync(Patience, TestContext.Current.CancellationToken);
}
