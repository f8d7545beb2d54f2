using System.Diagnostics;
using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.AppConfiguration;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Huntaze.UnitTests.Flags;

public sealed class AppConfigurationClientTests : IDisposable
{
    private const string Prefix = ".appconfig.featureflag/";
    private readonly FakeAppConfigurationServer _server = new();

    public void Dispose() => _server.Dispose();

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
        var client = CreateClient(new HmacSigningPolicy(FakeAppConfigurationServer.Credential, [1, 2, 3], TimeProvider.System));

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
    public async Task SendAsync_Throttled_WaitsRetryAfterMsThenSucceedsWithAFreshSignature()
    {
        _server.Injected.Enqueue(() =>
        {
            var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            throttled.Headers.TryAddWithoutValidation("retry-after-ms", "1500");
            return throttled;
        });
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        var stopwatch = Stopwatch.StartNew();

        var items = await CreateClient(new HmacSigningPolicy(FakeAppConfigurationServer.Credential, FakeAppConfigurationServer.Secret, clock))
            .ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);

        // The backoff alone is 10 ms here (Options): waiting ≥ 1.5 s is the server's retry-after-ms.
        Assert.Empty(items);
        Assert.Equal(2, _server.Requests.Count);
        Assert.True(stopwatch.ElapsedMilliseconds >= 1_450, $"waited {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(0, _server.SignatureFailures);
        Assert.Equal(2, _server.Requests.Select(r => r.Headers.GetValues("x-ms-date").Single()).Distinct().Count());
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
    public async Task SendAsync_OneFailure_IsRetriedOnceByThePipelineOnly()
    {
        _server.Injected.Enqueue(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        await CreateClient().ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);

        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_ServerHangs_TimesOutAndThrowsUnavailable()
    {
        var options = Options(timeoutSeconds: 0.1);
        options.Transport = new HttpClientTransport(new HangingHandler());
        var client = new AppConfigurationClient(new Uri("https://test.azconfig.io"), Hmac(), options);

        var error = await Assert.ThrowsAsync<AppConfigurationException>(() => client.ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken));

        Assert.True(error.IsUnavailable);
        Assert.Null(error.Status);
    }

    [Fact]
    public async Task Bearer_TwoRequests_OneTokenForTheAppConfigurationScope()
    {
        _server.VerifySignatures = false;
        var credential = new Mock<TokenCredential>();
        credential.Setup(c => c.GetTokenAsync(It.Is<TokenRequestContext>(r => r.Scopes.Single() == "https://appconfig.azure.com/.default"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new AccessToken("token-1", DateTimeOffset.UtcNow.AddHours(1)));
        var client = CreateClient(AppConfigurationClientOptions.Bearer(credential.Object));

        await client.ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);
        await client.ListAsync(Prefix, string.Empty, TestContext.Current.CancellationToken);

        Assert.All(_server.Requests, r => Assert.Equal("Bearer token-1", r.Headers.Authorization!.ToString()));
        credential.Verify(c => c.GetTokenAsync(It.IsAny<TokenRequestContext>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task PutAsync_NullLabel_LeavesLabelOutOfTheRequest()
    {
        var client = CreateClient();

        await client.PutAsync(Prefix + "Onboarding", string.Empty, "{}", null, null, null, true, TestContext.Current.CancellationToken);
        await client.GetAsync(Prefix + "Onboarding", string.Empty, null, TestContext.Current.CancellationToken);

        Assert.All(_server.Requests, r => Assert.DoesNotContain("label", r.RequestUri!.Query, StringComparison.Ordinal));
        Assert.NotNull(_server.Item(Prefix + "Onboarding"));
    }

    [Fact]
    public async Task PutAsync_Labelled_SendsTheLabel()
    {
        await CreateClient().PutAsync(Prefix + "Onboarding", "prod", "{}", null, null, null, true, TestContext.Current.CancellationToken);

        Assert.Contains("label=prod", _server.Requests.Single().RequestUri!.Query, StringComparison.Ordinal);
        Assert.NotNull(_server.Item(Prefix + "Onboarding", "prod"));
    }

    [Fact]
    public void ConnectionString_Parse_ReadsEndpointIdAndSecret()
    {
        var parsed = AppConfigurationConnectionString.Parse(FakeAppConfigurationServer.ConnectionString);

        Assert.Equal(new Uri("https://test.azconfig.io"), parsed.Endpoint);
        Assert.Equal(FakeAppConfigurationServer.Credential, parsed.Credential);
        Assert.Equal(FakeAppConfigurationServer.Secret, parsed.Secret);
    }

    internal static AppConfigurationClient CreateClient(FakeAppConfigurationServer server, HttpPipelinePolicy? authentication = null)
    {
        var options = Options();
        options.Transport = new HttpClientTransport(server);
        return new AppConfigurationClient(new Uri("https://test.azconfig.io"), authentication ?? Hmac(), options);
    }

    private AppConfigurationClient CreateClient(HttpPipelinePolicy? authentication = null) => CreateClient(_server, authentication);

    private static HmacSigningPolicy Hmac() =>
        new(FakeAppConfigurationServer.Credential, FakeAppConfigurationServer.Secret, TimeProvider.System);

    private static AppConfigurationClientOptions Options(double timeoutSeconds = 5) =>
        new(new AppConfigurationOptions { MaxRetries = 2, BaseDelaySeconds = 0.01, MaxDelaySeconds = 1, TimeoutSeconds = timeoutSeconds });

    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
