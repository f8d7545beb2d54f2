using System.Net;
using System.Net.Http.Json;
using Huntaze.Functions.Security.RateLimiting;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Huntaze.IntegrationTests.Security;

/// <summary>
/// The counter store answers once, then hangs past the limiter's budget (Azurite cannot hang on demand, so the
/// real store is wrapped in this host): that is an outage, and each policy's failure mode applies (ADR 0003).
/// </summary>
public sealed class RateLimitStoreHangTests(HostFixture fixture)
{
    [Fact]
    public async Task StoreAnswersThenHangs_ReadsAdmittedWritesRefused503()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = HostFixture.BaseSettings(fixture.Azurite.ConnectionString, fixture.TablePrefix);
        settings["RateLimits__reads__Limit"] = "600"; // production size: reservations of 12, each counted in the store
        await using var host = await LocalHostInstance.StartAsync(
            settings,
            services => services.Replace(ServiceDescriptor.Singleton<IRateLimitStore>(sp => new AnswersOnceThenHangs(ActivatorUtilities.CreateInstance<TableRateLimitStore>(sp)))),
            ct);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["user"]));

        var read = client.GetAsync("/api/test/read", ct);
        var write = client.PostAsync("/api/test/step-write", JsonContent.Create(new { }), ct);
        using var readResponse = await read;
        using var writeResponse = await write;

        Assert.Equal(HttpStatusCode.NoContent, readResponse.StatusCode);
        await RoutingTests.AssertProblemAsync(writeResponse, HttpStatusCode.ServiceUnavailable, "dependency-unavailable");
        Assert.True(writeResponse.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    /// <summary>Reads answer (the limiter learns the counter); every write then waits until cancelled.</summary>
    private sealed class AnswersOnceThenHangs(IRateLimitStore inner) : IRateLimitStore
    {
        public Task<CounterSnapshot?> GetAsync(CounterKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public async Task<string?> TryCreateAsync(CounterKey key, int count, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }

        public async Task<string?> TryReplaceAsync(CounterKey key, int count, string etag, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }

        public Task<int> DeleteDaysBeforeAsync(DateOnly before, CancellationToken cancellationToken) => inner.DeleteDaysBeforeAsync(before, cancellationToken);
    }
}
