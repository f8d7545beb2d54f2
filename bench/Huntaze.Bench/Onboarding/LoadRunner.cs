using System.Diagnostics;

namespace Huntaze.Bench.Onboarding;

/// <summary>Latency percentiles (ms) and throughput of one measurement.</summary>
internal sealed record LoadResult(double P50, double P95, double P99, double Throughput, int Errors);

/// <summary>Runs one operation from N workers in a closed loop for a fixed time, after a short warm-up.</summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(int workers, TimeSpan duration, Func<int, Func<Task<bool>>> operationFor)
    {
        var operations = Enumerable.Range(0, workers).Select(operationFor).ToArray();
        await Task.WhenAll(operations.Select(async op =>
        {
            for (var i = 0; i < 5; i++)
            {
                await op();
            }
        }));

        var latencies = new List<double>[workers];
        var errors = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            latencies[w] = [];
            while (watch.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                var ok = await operations[w]();
                latencies[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99), all.Length / watch.Elapsed.TotalSeconds, errors);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
