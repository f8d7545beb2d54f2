using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Evaluation;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.FeatureManagement;

namespace Huntaze.Bench.Flags;

/// <summary>
/// What one request pays for a flag check: <see cref="IFeatureGate"/> over the in-memory snapshot with the
/// production registrations (Microsoft.FeatureManagement, targeting from the caller). Goal: p95 under 50 µs.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Settings))]
public class FlagEvaluationBenchmarks
{
    private readonly Caller _listedUser = new("user-listed", new HashSet<string> { Roles.User }, "FR", CredentialKind.Bearer);
    private readonly Caller _percentageUser = new("user-12345", new HashSet<string> { Roles.User }, "DE", CredentialKind.Bearer);
    private readonly Caller _excludedUser = new("user-excluded", new HashSet<string> { Roles.User }, "FR", CredentialKind.Bearer);
    private ServiceProvider _services = null!;
    private IFeatureGate _gate = null!;
    private IKillSwitch _killSwitch = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<FlagState>();
        services.AddSingleton<IKillSwitch, KillSwitch>();
        services.AddFeatureManagement().AddFeatureFilter<PreboundTargetingFilter>();
        services.AddSingleton<IFeatureDefinitionProvider, SnapshotFeatureDefinitionProvider>();
        services.AddSingleton<IFeatureGate, FeatureGate>();
        _services = services.BuildServiceProvider();
        var audience = new Audience(
            ["user-listed", .. Enumerable.Range(0, 50).Select(i => $"vip-{i}")],
            [new GroupRollout("role:admin", 100), new GroupRollout("market:FR", 25), new GroupRollout("market:ES", 50)],
            25,
            ["user-excluded"],
            ["market:XX"]);
        var flags = new[]
        {
            new FeatureFlag(FeatureNames.Onboarding, true, null, audience),
            new FeatureFlag(FeatureNames.KillSwitch, false),
            new FeatureFlag("Onboarding.Step.Profile", true),
        };
        _services.GetRequiredService<FlagState>().Apply(
            FlagSnapshot.Create(flags.Select(f => new StoredFlag(f, "e", new Dictionary<string, string>())), "bench", DateTimeOffset.UtcNow));
        _gate = _services.GetRequiredService<IFeatureGate>();
        _killSwitch = _services.GetRequiredService<IKillSwitch>();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Description = "Onboarding, listed user")]
    public ValueTask<bool> ListedUser() => _gate.IsEnabledAsync(FeatureNames.Onboarding, _listedUser, CancellationToken.None);

    [Benchmark(Baseline = true, Description = "Onboarding, percentage bucket (groups + default)")]
    public ValueTask<bool> PercentageUser() => _gate.IsEnabledAsync(FeatureNames.Onboarding, _percentageUser, CancellationToken.None);

    [Benchmark(Description = "Onboarding, excluded user")]
    public ValueTask<bool> ExcludedUser() => _gate.IsEnabledAsync(FeatureNames.Onboarding, _excludedUser, CancellationToken.None);

    [Benchmark(Description = "Step gate without filter")]
    public ValueTask<bool> NoFilter() => _gate.IsEnabledAsync("Onboarding.Step.Profile", _percentageUser, CancellationToken.None);

    [Benchmark(Description = "IKillSwitch.Current")]
    public KillSwitchState KillSwitchCurrent() => _killSwitch.Current;

    private sealed class Settings : ManualConfig
    {
        public Settings()
        {
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15));
            AddColumn(StatisticColumn.P95);
        }
    }
}
