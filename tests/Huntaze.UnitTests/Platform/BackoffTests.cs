using Huntaze.Functions.Platform.Resilience;

namespace Huntaze.UnitTests.Platform;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(0, 25, 50)]
    [InlineData(2, 100, 200)]
    [InlineData(9, 500, 1000)]
    [InlineData(1000, 500, 1000)]
    public void Delay_Retry_IsEqualJitterWithinTheCappedExponential(int retry, double min, double max)
    {
        for (var i = 0; i < 200; i++)
        {
            var delay = Backoff.Delay(retry, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1));

            Assert.InRange(delay.TotalMilliseconds, min, max);
        }
    }

    [Fact]
    public void Delay_ManyDraws_AreSpreadNotConstant() =>
        Assert.True(Enumerable.Range(0, 50).Select(_ => Backoff.Delay(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1))).Distinct().Count() > 10);
}
