using Huntaze.Functions.Platform.Health;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.UnitTests.Platform;

public sealed class ReadinessServiceTests
{
    [Fact]
    public async Task CheckAsync_ManyCallersWithinCacheWindow_ProbeDependenciesOnce()
    {
        var check = new CountingCheck();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var service = new ReadinessService([check], Options.Create(new HealthOptions()), time);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => service.CheckAsync(CancellationToken.None)));
        time.Advance(TimeSpan.FromSeconds(1));
        await service.CheckAsync(CancellationToken.None);

        Assert.Equal(2, check.Calls);
    }

    [Fact]
    public async Task CheckAsync_DependencyThrows_ReportsUnhealthyNamingIt()
    {
        var service = new ReadinessService([new CountingCheck { Fail = true }], Options.Create(new HealthOptions()), TimeProvider.System);

        var report = await service.CheckAsync(CancellationToken.None);

        Assert.Equal(ReadinessStatus.Unhealthy, report.Status);
        Assert.Equal("InvalidOperationException", report.Checks["counting"].Detail);
    }

    private sealed class CountingCheck : IReadinessCheck
    {
        private int _calls;

        public bool Fail { get; init; }

        public int Calls => _calls;

        public string Name => "counting";

        public Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Fail ? throw new InvalidOperationException() : Task.FromResult(new ReadinessResult(ReadinessStatus.Healthy));
        }
    }
}
