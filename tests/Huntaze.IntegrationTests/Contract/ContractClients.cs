using System.Net.Http.Headers;
using Huntaze.ContractClient;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace Huntaze.IntegrationTests.Contract;

/// <summary>
/// The Kiota-generated client (tests/Huntaze.ContractClient) pointed at a local host, with Kiota's own middleware
/// except its retry handler (the tests must see each 412/503 the API answers), and every response checked for the
/// security headers and correlation id (<see cref="ResponseInvariantsHandler"/>).
/// </summary>
public sealed class ContractClients : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public HuntazeApiClient For(LocalHostInstance host, string userId, string market = "US", params string[] roles)
    {
        var token = HostFixture.CreateToken(userId, market, roles.Length == 0 ? ["user"] : roles);
        var handlers = KiotaClientFactory.CreateDefaultHandlers().Where(h => h is not RetryHandler).ToList();
        handlers.Add(new ResponseInvariantsHandler());
        var first = KiotaClientFactory.ChainHandlersCollectionAndGetFirstLink(new HttpClientHandler { UseCookies = false }, [.. handlers])!;
        var http = new HttpClient(first) { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = new Uri(host.BaseAddress, "api").ToString(),
        };
        _owned.Add(adapter);
        _owned.Add(http);
        return new HuntazeApiClient(adapter);
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
