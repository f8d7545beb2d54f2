using System.Diagnostics;
using System.Net;
using Azure.Core;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.AppConfiguration;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace Huntaze.UnitTests.Flags;

public sealed class AppConfigurationClientTests : IDisposable
{
    private const string Prefix = ".appconfig.featureflag/";
    private readonly FakeAppConfigurationServer _server = new();
    private readonly HttpClient _http;

    public AppConfigurationClientTests() => _http = new HttpClient(_server);

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task ListAsync_MorePagesThanOne_FollowsNextLinkWithValidSignatures()
    {
        _server.PageSize = 2;
        for (var i = 0; i < 5; i++)
        {
            _server.Seed(Prefix + "F" + i, string.Empty, "{}");
        }

        _server.Seed(Prefix + "Labelled", "prod", "{}");

        var items = await CreateClient().ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);

        Assert.Equal(5, items.Count);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(0, _server.SignatureFailures);
    }

    [Fact]
    public async Task ListAsync_NoLabel_SendsNullLabelFilterAndEscapedPrefix()
    {
        await CreateClient().ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);

        var query = _server.Requests.Single().RequestUri!.PathAndQuery;
        Assert.Contains("key=.appconfig.featureflag%2F*", query, StringComparison.Ordinal);
        Assert.Contains("label=%00", query, StringComparison.Ordinal);
        Assert.Contains("api-version=2023-11-01", query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_IfNoneMatchCurrentETag_ReturnsNotModified()
    {
        var etag = _server.Seed(Prefix + "Onboarding", string.Empty, "{}");

        var result = await CreateClient().GetAsync(Prefix + "Onboarding", string.Empty, etag, TestContext.Current.CancellationToken);

        Assert.Equal(ReadOutcome.NotModified, result.Outcome);
    }

    [Fact]
    public async Task GetAsync_MissingKey_ReturnsNotFound()
    {
        var result = await CreateClient().GetAsync(Prefix + "Nope", string.Empty, null, TestContext.Current.CancellationToken);

        Assert.Equal(ReadOutcome.NotFound, result.Outcome);
    }

    [Fact]
    public async Task PutAsync_StaleIfMatch_ThrowsPreconditionFailed()
    {
        _server.Seed(Prefix + "Onboarding", string.Empty, "{}");

        var error = await Assert.ThrowsAsync<AppConfigurationException>(() => CreateClient().PutAsync(
            Prefix + "Onboarding", string.Empty, "{}", null, null, "stale", false, TestContext.Current.CancellationToken));

        Assert.True(error.IsPreconditionFailed);
    }

    [Fact]
    public async Task PutAsync_CurrentIfMatch_WritesSignedBodyAndReturnsNewETag()
    {
        var etag = _server.Seed(Prefix + "Onboarding", string.Empty, "{}");

        var written = await CreateClient().PutAsync(
            Prefix + "Onboarding", string.Empty, "{\"id\":\"Onboarding\"}", "application/json", null, etag, false, TestContext.Current.CancellationToken);

        Assert.NotEqual(etag, written.ETag);
        Assert.Equal("{\"id\":\"Onboarding\"}", written.Value);
        Assert.Equal(0, _server.SignatureFailures);
    }

    [Fact]
    public async Task PutAsync_OnlyIfAbsentButExists_ThrowsPreconditionFailed()
    {
        _server.Seed(Prefix + "Onboarding", string.Empty, "{}");

        var error = await Assert.ThrowsAsync<AppConfigurationException>(() => CreateClient().PutAsync(
            Prefix + "Onboarding", string.Empty, "{}", null, null, null, true, TestContext.Current.CancellationToken));

        Assert.Equal(412, error.Status);
    }

    [Fact]
    public async Task SendAsync_WrongSecret_IsRejectedByTheSignatureCheck()
    {
        var client = CreateClient(new HmacAuthenticator(FakeAppConfigurationServer.Credential, [1, 2, 3], TimeProvider.System));

        var error = await Assert.ThrowsAsync<AppConfigurationException>(() => client.ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken));

        Assert.Equal(401, error.Status);
    }

    [Fact]
    public async Task SendAsync_SyncTokenInResponse_EchoedOnNextRequest()
    {
        var client = CreateClient();

        await client.ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);
        await client.ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);

        Assert.Equal(["zAJw6V16=MDoyOA=="], _server.ReceivedSyncTokens);
    }

    [Fact]
    public async Task SendAsync_Throttled_WaitsRetryAfterMsThenSucceeds()
    {
        _server.Injected.Enqueue(() =>
        {
            var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            throttled.Headers.TryAddWithoutValidation("retry-after-ms", "150");
            return throttled;
        });
        var stopwatch = Stopwatch.StartNew();

        var items = await CreateClient().ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);

        Assert.Empty(items);
        Assert.Equal(2, _server.Requests.Count);
        Assert.True(stopwatch.ElapsedMilliseconds >= 140, $"waited {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task SendAsync_AlwaysUnavailable_GivesUpAfterMaxRetries()
    {
        for (var i = 0; i < 10; i++)
        {
            _server.Injected.Enqueue(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }

        var error = await Assert.ThrowsAsync<AppConfigurationException>(() => CreateClient().ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken));

        Assert.Equal(503, error.Status);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_ServerHangs_TimesOutAndThrowsUnavailable()
    {
        using var hanging = new HttpClient(new HangingHandler());
        var options = Options(timeoutSeconds: 0.1);
        var client = new AppConfigurationClient(hanging, new Uri("https://test.azconfig.io"), Hmac(), options, TimeProvider.System, NullLogger<AppConfigurationClient>.Instance);

        var error = await Assert.ThrowsAsync<AppConfigurationException>(() => client.ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken));

        Assert.True(error.IsUnavailable);
        Assert.Null(error.Status);
    }

    [Fact]
    public async Task BearerAuthenticator_TokenCredential_SendsBearerForAppConfigurationScope()
    {
        var credential = new Mock<TokenCredential>();
        credential.Setup(c => c.GetTokenAsync(It.Is<TokenRequestContext>(r => r.Scopes.Single() == "https://appconfig.azure.com/.default"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new AccessToken("token-1", DateTimeOffset.UtcNow.AddHours(1)));
        using var authenticator = new BearerAuthenticator(credential.Object, TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://test.azconfig.io/kv");

        await authenticator.AuthenticateAsync(request, [], TestContext.Current.CancellationToken);

        Assert.Equal("Bearer token-1", request.Headers.Authorization!.ToString());
    }

    [Fact]
    public void ConnectionString_Parse_ReadsEndpointIdAndSecret()
    {
        var parsed = AppConfigurationConnectionString.Parse(FakeAppConfigurationServer.ConnectionString);

        Assert.Equal(new Uri("https://test.azconfig.io"), parsed.Endpoint);
        Assert.Equal(FakeAppConfigurationServer.Credential, parsed.Credential);
        Assert.Equal(FakeAppConfigurationServer.Secret, parsed.Secret);
    }

    private AppConfigurationClient CreateClient(IAppConfigurationAuthenticator? authenticator = null) =>
        new(_http, new Uri("https://test.azconfig.io"), authenticator ?? Hmac(), Options(), TimeProvider.System, NullLogger<AppConfigurationClient>.Instance);

    private static HmacAuthenticator Hmac() =>
        new(FakeAppConfigurationServer.Credential, FakeAppConfigurationServer.Secret, TimeProvider.System);

    private static AppConfigurationOptions Options(double timeoutSeconds = 5) =>
        new() { MaxRetries = 2, BaseDelaySeconds = 0.01, MaxDelaySeconds = 1, TimeoutSeconds = timeoutSeconds };

    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
