using System.Diagnostics;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>Awaits a condition instead of sleeping for a guessed time.</summary>
public static class Eventually
{
    /// <summary>Polls until the condition holds; returns how long it took, or fails after the timeout.</summary>
    public static async Task<TimeSpan> HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? interval = null)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return watch.Elapsed;
            }

            if (watch.Elapsed > timeout)
            {
                throw new Xunit.Sdk.XunitException($"Condition not met within {timeout.TotalSeconds:0.#} s: {because}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
