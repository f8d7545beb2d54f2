using BenchmarkDotNet.Running;
using Huntaze.Benchmarks.Flags;

// dotnet run -c Release --project bench/Huntaze.Benchmarks -- flags-evaluation | flags-propagation [flips]
switch (args.FirstOrDefault())
{
    case "flags-evaluation":
        BenchmarkRunner.Run<FlagEvaluationBenchmarks>(args: args.Skip(1).ToArray());
        break;
    case "flags-propagation":
        await KillSwitchPropagation.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
        break;
    default:
        Console.WriteLine("usage: flags-evaluation [BenchmarkDotNet args] | flags-propagation [flips]");
        break;
}
