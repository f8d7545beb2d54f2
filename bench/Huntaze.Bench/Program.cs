using System.Globalization;
using BenchmarkDotNet.Running;
using Huntaze.Bench.Backups;
using Huntaze.Bench.Durable;
using Huntaze.Bench.Flags;
using Huntaze.Bench.Onboarding;
using Huntaze.Bench.Security;
using Huntaze.Bench.Storage;

// dotnet run -c Release --project bench/Huntaze.Bench -- <benchmark> [args]
//   onboarding [seconds per measurement, default 10] [levels, default 1,16,64]   API vs raw storage, a bare HTTP endpoint (the floor), one user vs many (docs/performance.md)
//     (HUNTAZE_BENCH_TRACE_SLICES=1: each slice's CPU, GC, thread pool and maximum, slow requests and storage calls, storage requests by kind)
//   allocations [operation, default "GET /api/onboarding"; "raw GET" for the raw read] [requests, default 40000] [workers, default 8]   what one operation allocates, by type, its throughput, CPU and storage requests (docs/performance.md)
//   patch-shapes [seconds, default 10] [levels, default 16,64]                     the storage work of each possible PATCH shape, raw (docs/performance.md)
//   mix [seconds, default 20] [workers, default 32] [users, default 5000]          issue 15's mix (80 % reads, 15 % writes, 5 % snooze/gate) vs raw storage
//   flags-evaluation [BenchmarkDotNet args]                                        evaluation cost per request (docs/flags.md)
//   flags-propagation [flips, default 20]                                          kill-switch propagation between two hosts
//   restore [entities, default 100000] [parallelism, default 8]                     restore vs raw batch inserts (docs/runbooks/restore.md)
//   restore-shapes [entities, default 100000] [parallelism, default 8]              the restore's write operation alone (insert vs upsert) as a table grows, raw (docs/performance.md)
//   azurite-persistence [rounds, default 3]                                        what Azurite's disk store keeps on kill -9 / SIGINT (README)
//   durable [chains, default 50] [fan-out, default 100] [users, default 10000] [providers, default InMemory,AzureStorage]     in-memory engine vs Azure Storage provider, migration vs its raw storage floor (docs/performance.md)
//   privacy [rows, default 1000] [concurrent, default 50] [repeats, default 5]     DSR export/erasure vs raw storage (docs/privacy/dsr-runbook.md)
//   denials [seconds, default 10] [workers, default 64]                             cost of a junk credential (ADR 0007)
switch (args.FirstOrDefault())
{
    case "allocations":
        await AllocationSampler.RunAsync(
            args.Length > 1 ? args[1] : "GET /api/onboarding",
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40_000,
            args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8);
        break;
    case "onboarding":
        await RunOnboardingAsync(args.Skip(1).ToArray());
        break;
    case "patch-shapes":
        await PatchShapes.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10,
            args.Length > 2 ? [.. args[2].Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture))] : [16, 64]);
        break;
    case "mix":
        await MixScenario.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32,
            args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5000);
        break;
    case "flags-evaluation":
        BenchmarkRunner.Run<FlagEvaluationBenchmarks>(args: args.Skip(1).ToArray());
        break;
    case "azurite-persistence":
        await AzuritePersistence.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3);
        break;
    case "durable":
        await DurableBench.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100,
            args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000,
            args.Length > 4 ? [.. args[4].Split(',').Select(p => Enum.Parse<Huntaze.LocalHost.Durable.DurableProvider>(p, ignoreCase: true))] : null);
        break;
    case "flags-propagation":
        await KillSwitchPropagation.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
        break;
    case "restore":
        await RestoreBenchmark.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8);
        break;
    case "restore-shapes":
        await RestoreShapes.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8);
        break;
    case "privacy":
        await Huntaze.Bench.Privacy.DsrBenchmark.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50,
            args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5);
        break;
    case "denials":
        await DenialFlood.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64);
        break;
    default:
        Console.WriteLine("usage: onboarding [seconds] [levels] | mix [seconds] [workers] [users] | flags-evaluation [BenchmarkDotNet args] | flags-propagation [flips] | denials [seconds] [workers] | azurite-persistence [rounds] | durable [chains] [fan-out] [users] [providers] | restore [entities] [parallelism] | privacy [rows] [concurrent] [repeats]");
        return 2;
}

return 0;

static async Task RunOnboardingAsync(string[] args)
{
    var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
    int[] levels = args.Length > 1 ? [.. args[1].Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture))] : [1, 16, 64];
    var tracing = Environment.GetEnvironmentVariable("HUNTAZE_BENCH_TRACE_SLICES") == "1";
    var storageCount = new StorageRequestCounter { RecordsDurations = tracing };
    await using var rig = tracing
        ? await BenchRig.StartAsync(services => Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.Replace(
            services, Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(sp => StorageRequestCounter.Counted(sp, storageCount))), CancellationToken.None)
        : await BenchRig.StartAsync(CancellationToken.None);
    await rig.StartFloorAsync(CancellationToken.None);
    Console.Error.WriteLine($"load generator: {BenchRig.Generator} (HUNTAZE_BENCH_CLIENT=httpclient for HttpClient)");
    var rows = new List<string>
    {
        "| concurrency | operation | through the API p50 / p95 / p99 (ms) | req/s | errors | raw storage p50 / p95 / p99 (ms) | ops/s | p95 ratio | p95 ratio, median of rounds | machine CPU per op, API / raw (ms) | CPU ratio | allocated per op, API / raw (KB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    };
    var hotUser = new List<string>();
    var breakdown = new List<string>();
    foreach (var level in levels)
    {
        var results = new Dictionary<string, LoadResult>();
        var operations = new[] { "GET /api/onboarding", "GET /api/onboarding" + BenchRig.OneUser, "PATCH /api/onboarding/steps/{id}", BenchRig.FloorGet };

        // Every column of a level in alternating slices: the API and its raw work, and one user against one
        // user per worker, each pair measured under the same machine load.
        var measured = await LoadRunner.RunInterleavedAsync(
            level,
            TimeSpan.FromSeconds(seconds),
            [.. operations.SelectMany(o => new Func<int, Func<Task<bool>>>[] { w => rig.ApiOperation(o, level, w), w => rig.RawOperation(o, level, w) })]);
        for (var i = 0; i < operations.Length; i++)
        {
            var (operation, api, raw) = (operations[i], measured[2 * i], measured[(2 * i) + 1]);
            results[operation] = api;
            results[operation + " raw"] = raw;
            var row = $"| {level} | {operation} | {api.P50:0.0} / {api.P95:0.0} / {api.P99:0.0} | {api.Throughput:0} | {api.Errors} | {raw.P50:0.0} / {raw.P95:0.0} / {raw.P99:0.0} | {raw.Throughput:0} | {api.P95 / raw.P95:0.00} | {api.MedianRoundRatio(raw):0.00} | {api.CpuPerOperation:0.00} / {raw.CpuPerOperation:0.00} | {api.CpuPerOperation / raw.CpuPerOperation:0.00} | {api.KilobytesPerOperation:0} / {raw.KilobytesPerOperation:0} |";
            Console.WriteLine(row);
            rows.Add(row);
        }

        Console.Error.WriteLine($"JIT during the measured slices at {level}: {measured.Sum(r => r.Jit.TotalMilliseconds):0} ms in {measured.Length * seconds} s");
        Console.Error.WriteLine($"GET p95 per slice at {level}, API / raw (ms): " + string.Join(", ", measured[0].SliceP95.Zip(measured[1].SliceP95, (a, r) => $"{a:0} / {r:0}")));
        Console.Error.WriteLine($"GC pauses in each column's slices at {level} (ms in {seconds} s; gen 0/1/2 collections): " + string.Join("; ", operations.Select((o, i) =>
            $"{o}: API {measured[2 * i].GcPause.TotalMilliseconds:0} ({measured[2 * i].Collections.Gen0}/{measured[2 * i].Collections.Gen1}/{measured[2 * i].Collections.Gen2}), raw {measured[(2 * i) + 1].GcPause.TotalMilliseconds:0} ({measured[(2 * i) + 1].Collections.Gen0}/{measured[(2 * i) + 1].Collections.Gen1}/{measured[(2 * i) + 1].Collections.Gen2})")));

        var (get, getRaw, floor, floorRaw) = (results["GET /api/onboarding"], results["GET /api/onboarding raw"], results[BenchRig.FloorGet], results[BenchRig.FloorGet + " raw"]);
        breakdown.Add($"| {level} | {floor.P95 / floorRaw.P95:0.00} (CPU {floor.CpuPerOperation / floorRaw.CpuPerOperation:0.00}) | {get.P95 / floor.P95:0.00} (CPU {get.CpuPerOperation / floor.CpuPerOperation:0.00}) | {get.P95 / getRaw.P95:0.00} (CPU {get.CpuPerOperation / getRaw.CpuPerOperation:0.00}) |");
        if (level > 1)
        {
            var one = results["GET /api/onboarding" + BenchRig.OneUser];
            var many = results["GET /api/onboarding"];
            hotUser.Add($"| {level} | {one.P99:0.0} ms, {one.Throughput:0} req/s | {many.P99:0.0} ms, {many.Throughput:0} req/s | {one.P99 / many.P99:0.00} |");
        }
    }

    Console.WriteLine();
    Console.WriteLine(string.Join(Environment.NewLine, rows));
    Console.WriteLine();
    Console.WriteLine("| concurrency | GET, one user: p99, throughput | GET, one user per worker: p99, throughput | p99 ratio (goal ≤ 1.5) |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine(string.Join(Environment.NewLine, hotUser));
    Console.WriteLine();
    Console.WriteLine("| concurrency | GET p95 ratio: the bare endpoint against the raw read (the HTTP hop) | the API against the bare endpoint (the app's work) | the API against the raw read (goal ≤ 1.3) |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine(string.Join(Environment.NewLine, breakdown));
    foreach (var (kind, count) in storageCount.ByKind.OrderByDescending(k => k.Value))
    {
        Console.Error.WriteLine($"storage: {count} × {kind}");
    }

    foreach (var (failure, count) in rig.Failures.OrderBy(f => f.Key, StringComparer.Ordinal))
    {
        Console.WriteLine($"not 2xx: {count} × {failure}");
    }
}
