using Azure;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Microsoft.Extensions.Options;

namespace Huntaze.UnitTests.Onboarding;

public sealed class StorageRetryTests
{
    private readonly StorageRetry _retry = new(Options.Create(new OnboardingOptions { StorageBaseDelayMs = 0, StorageMaxDelayMs = 0 }), TimeProvider.System);

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task ExecuteAsync_TransientThenSuccess_Retries(int status)
    {
        var result = await _retry.ExecuteAsync(
            (attempt, _) => attempt == 1 ? throw new RequestFailedException(status, "transient") : Task.FromResult(attempt),
            TestContext.Current.CancellationToken);

        Assert.Equal(2, result);
    }

    [Fact]
    public async Task ExecuteAsync_PreconditionFailed_DoesNotRetry()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<RequestFailedException>(() => _retry.ExecuteAsync<int>(
            (_, _) => { attempts++; throw new RequestFailedException(412, "conflict"); },
            TestContext.Current.CancellationToken));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task ExecuteAsync_AlwaysTransient_StopsAfterMaxAttempts()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<TimeoutException>(() => _retry.ExecuteAsync<int>(
            (_, _) => { attempts++; throw new TimeoutException(); },
            TestContext.Current.CancellationToken));

        Assert.Equal(4, attempts);
    }
}
