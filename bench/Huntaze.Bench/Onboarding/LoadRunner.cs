using System.Diagnostics;

namespace Huntaze.Bench.Onboarding;

/// <summary>
/// Latency percentiles (ms) and throughput of one measurement, and the whole machine's CPU time per operation (ms; the
/// bench's client, the host and Azurite together, from <c>/proc/stat</c> over the measured slices; NaN off Linux) and the
/// bench process's allocations per operation (KB; its client, the host and the raw storage client together); the p95 of
/// each measured slice, in order (one per round of an interleaved run).
/// </summary>
internal sealed record LoadResult(
    double P50, double P95, double P99, double Throughput, int Errors, double CpuPerOperation, double KilobytesPerOperation, IReadOnlyList<double> SliceP95)
{
    /// <summary>Time the JIT spent (the whole process) during this run's measured slices: near zero in the steady state.</summary>
    public TimeSpan Jit { get; init; }

    /// <summary>
    /// Time the process was paused for garbage collection during this run's measured slices, and the collections
    /// (gen 0, 1, 2) that started then: an operation that allocates more pays more of them in its own slices.
    /// </summary>
    public TimeSpan GcPause { get; init; }

    public (int Gen0, int Gen1, int Gen2) Collections { get; init; }

    /// <summary>
    /// The median over rounds of this run's slice p95 against <paramref name="other"/>'s slice p95 of the same round:
    /// what the ratio is under the same conditions, robust to one slice a burst of outside load fell on (the pooled
    /// p95 ratio is not). For runs measured in one go, the ratio of their p95s.
    /// </summary>
    public double MedianRoundRatio(LoadResult other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var ratios = SliceP95.Zip(other.SliceP95, (a, b) => a / b).Order().ToArray();
        return ratios.Length == 0 ? double.NaN : ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[(ratios.Length / 2) - 1] + ratios[ratios.Length / 2]) / 2;
    }
}

/// <summary>
/// Runs operations from N workers in a closed loop for a fixed time, after a short warm-up. Operations compared
/// with each other (the API and the raw storage work it stands for) run in alternating one-second slices, so a
/// machine shared with other work loads both alike and their ratio holds even when the load moves; each round of
/// slices starts one operation later than the one before.
/// </summary>
internal static class LoadRunner
{
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    /// <summary>At most this long spent reaching the steady state (HUNTAZE_BENCH_MAX_WARMUP_SECONDS).</summary>
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("HUNTAZE_BENCH_MAX_WARMUP_SECONDS"), out var seconds) ? seconds : 240);

    /// <summary>The steady state: a round of slices that compiles fewer methods than this and spends less than
    /// <see cref="SteadyJitShare"/> of its time compiling (a few large tier-1 recompilations can take seconds).</summary>
    private const int SteadyJitMethods = 20;

    private const double SteadyJitShare = 0.01;

    /// <summary>One operation measured for <paramref name="duration"/> in one go (nothing to compare it with in the same run).</summary>
    public static async Task<LoadResult> RunAsync(int workers, TimeSpan duration, Func<int, Func<Task<bool>>> operationFor)
    {
        var run = new Run([.. Enumerable.Range(0, workers).Select(operationFor)]);
        await run.WarmUpAsync();
        await SteadyStateAsync([run]);
        await run.MeasureAsync(duration);
        return run.Result();
    }

    /// <summary>Each of <paramref name="operationsFor"/> measured for <paramref name="duration"/> in all, slice by slice in turn.</summary>
    public static Task<LoadResult[]> RunInterleavedAsync(int workers, TimeSpan duration, params Func<int, Func<Task<bool>>>[] operationsFor) =>
        RunInterleavedAsync(workers, duration, null, operationsFor);

    /// <param name="warmedUp">Called once every warm-up is done, before the first measured slice.</param>
    public static async Task<LoadResult[]> RunInterleavedAsync(int workers, TimeSpan duration, Action? warmedUp, params Func<int, Func<Task<bool>>>[] operationsFor)
    {
        var runs = operationsFor.Select(f => new Run([.. Enumerable.Range(0, workers).Select(f)])).ToArray();
        foreach (var run in runs)
        {
            await run.WarmUpAsync();
        }

        await SteadyStateAsync(runs);
        warmedUp?.Invoke();

        // Each round starts one operation further on: what a slice leaves behind (a GC, Azurite's own garbage
        // collection after a run of writes) falls on every column in turn, not always on the one after the PATCHes.
        var round = 0;
        for (var measured = TimeSpan.Zero; measured < duration; measured += Slice, round++)
        {
            var slice = duration - measured < Slice ? duration - measured : Slice;
            for (var i = 0; i < runs.Length; i++)
            {
                var index = (i + round) % runs.Length;
                var trace = SliceTrace.Start();
                await runs[index].MeasureAsync(slice);
                trace?.Write(round, index, runs[index]);
            }
        }

        return [.. runs.Select(r => r.Result())];
    }

    /// <summary>
    /// Runs every operation in unmeasured slices until the runtime has stopped compiling: tiered compilation
    /// recompiles hot methods for a minute or more on this machine, and the API's path holds far more code than
    /// its raw storage work, so measuring before then prices the JIT into the API's column (it was over a third
    /// of the host's CPU 25 s into a run). Production serves from tier-1 code; so does the measurement.
    /// </summary>
    private static async Task SteadyStateAsync(Run[] runs)
    {
        var watch = Stopwatch.StartNew();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        long last;
        TimeSpan lastJit, round;
        do
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            var roundWatch = Stopwatch.StartNew();
            foreach (var run in runs)
            {
                await run.MeasureAsync(Slice);
                run.Discard();
            }

            last = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            lastJit = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
            round = roundWatch.Elapsed;
        }
        while ((last >= SteadyJitMethods || lastJit > round * SteadyJitShare) && watch.Elapsed < MaxWarmUp);

        var reached = watch.Elapsed < MaxWarmUp ? "steady state" : "NOT steady (warm-up limit reached)";
        Console.Error.WriteLine($"{reached} after {watch.Elapsed.TotalSeconds:0} s of unmeasured load ({System.Runtime.JitInfo.GetCompiledMethodCount() - compiled} methods compiled; the last round: {last}, {lastJit.TotalMilliseconds:0} ms of JIT in {round.TotalSeconds:0} s)");
    }

    private sealed class Run(Func<Task<bool>>[] operations)
    {
        private readonly List<double> _latencies = [];
        private readonly List<double> _sliceP95 = [];
        private TimeSpan _elapsed;
        private double _cpu;
        private long _allocated;
        private TimeSpan _jit;
        private TimeSpan _gcPause;
        private (int Gen0, int Gen1, int Gen2) _collections;
        private int _errors;

        /// <summary>Five calls per worker before anything is measured.</summary>
        public Task WarmUpAsync() => Task.WhenAll(operations.Select(async op =>
        {
            for (var i = 0; i < 5; i++)
            {
                await op();
            }
        }));

        public async Task MeasureAsync(TimeSpan duration)
        {
            var perWorker = new List<double>[operations.Length];
            var cpuBefore = MachineCpu.BusySeconds();
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            var pauseBefore = GC.GetTotalPauseDuration();
            var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, operations.Length).Select(async w =>
            {
                perWorker[w] = [];
                while (watch.Elapsed < duration)
                {
                    var start = Stopwatch.GetTimestamp();
                    var ok = await operations[w]();
                    perWorker[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (!ok)
                    {
                        Interlocked.Increment(ref _errors);
                    }
                }
            }));
            _elapsed += watch.Elapsed;
            _jit += System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
            _gcPause += GC.GetTotalPauseDuration() - pauseBefore;
            _collections = (_collections.Gen0 + GC.CollectionCount(0) - gen0, _collections.Gen1 + GC.CollectionCount(1) - gen1, _collections.Gen2 + GC.CollectionCount(2) - gen2);
            _cpu += MachineCpu.BusySeconds() - cpuBefore;
            _allocated += GC.GetTotalAllocatedBytes() - allocatedBefore;
            var slice = perWorker.SelectMany(l => l).ToArray();
            _latencies.AddRange(slice);
            Array.Sort(slice);
            LastSliceMax = slice.Length == 0 ? double.NaN : slice[^1];
            _sliceP95.Add(Percentile(slice, 0.95));
        }

        /// <summary>Forgets what was measured so far (the warm-up).</summary>
        public void Discard()
        {
            _latencies.Clear();
            _sliceP95.Clear();
            _elapsed = TimeSpan.Zero;
            _jit = TimeSpan.Zero;
            _gcPause = TimeSpan.Zero;
            _collections = default;
            _cpu = 0;
            _allocated = 0;
            _errors = 0;
        }

        public double LastSliceP95 => _sliceP95.Count == 0 ? double.NaN : _sliceP95[^1];

        public double LastSliceMax { get; private set; }

        public LoadResult Result()
        {
            var all = _latencies.Order().ToArray();
            return new LoadResult(
                Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99), all.Length / _elapsed.TotalSeconds, _errors,
                all.Length == 0 ? double.NaN : _cpu * 1000 / all.Length,
                all.Length == 0 ? double.NaN : _allocated / 1024.0 / all.Length,
                [.. _sliceP95]) { Jit = _jit, GcPause = _gcPause, Collections = _collections };
        }
    }

    /// <summary>One line per measured slice on stderr when HUNTAZE_BENCH_TRACE_SLICES=1: what the process and Azurite did in it.</summary>
    private sealed class SliceTrace
    {
        private static readonly bool Enabled = Environment.GetEnvironmentVariable("HUNTAZE_BENCH_TRACE_SLICES") == "1";
        private static AzuriteCpu? _azurite;
        private readonly double _node = (_azurite ??= AzuriteCpu.Find()).CpuMilliseconds();
        private readonly double _self = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        private readonly double _steal = Steal();
        private readonly (int, int, int) _gc = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        private readonly TimeSpan _pause = GC.GetTotalPauseDuration();
        private readonly long _completed = ThreadPool.CompletedWorkItemCount;
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private readonly DateTime _start = DateTime.UtcNow;

        public static SliceTrace? Start()
        {
            if (!Enabled)
            {
                return null;
            }

            Storage.StorageRequestCounter.Durations.Clear();
            return new SliceTrace();
        }

        public void Write(int round, int index, Run run)
        {
            var seconds = _watch.Elapsed.TotalSeconds;
            var calls = new List<double>();
            while (Storage.StorageRequestCounter.Durations.TryDequeue(out var call))
            {
                calls.Add(call);
            }

            double[] sorted = [.. calls.Order()];
            Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"slice {_start:HH:mm:ss.fff} round {round} op {index}: p95 {run.LastSliceP95:0.0} max {run.LastSliceMax:0} ms; CPU s/s self {(Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - _self) / 1000 / seconds:0.00} azurite {(_azurite!.CpuMilliseconds() - _node) / 1000 / seconds:0.00} steal {(Steal() - _steal) / seconds:0.00}; gc {GC.CollectionCount(0) - _gc.Item1}/{GC.CollectionCount(1) - _gc.Item2}/{GC.CollectionCount(2) - _gc.Item3} pause {(GC.GetTotalPauseDuration() - _pause).TotalMilliseconds:0} ms; threads {ThreadPool.ThreadCount}; work items/s {(ThreadPool.CompletedWorkItemCount - _completed) / seconds:0}; the app's storage calls {sorted.Length} p50 {Percentile(sorted, 0.5):0.0} p95 {Percentile(sorted, 0.95):0.0} ms"));
        }

        private static double Steal()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(fields[8], System.Globalization.CultureInfo.InvariantCulture) / 100.0;
        }
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
