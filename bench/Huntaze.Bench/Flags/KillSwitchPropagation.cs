using System.Diagnostics;
using System.Globalization;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.LocalHost;
using Huntaze.LocalHost.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Huntaze.Bench.Flags;

/// <summary>
/// Kill-switch propagation between two local hosts sharing one Azurite: flips the switch on host A and
/// times until host B's <see cref="IKillSwitch"/> reports it. Two paths, each over N flips:
/// "admin" (write + immediate publish, what POST /api/admin/kill-switch does after auditing) and "direct"
/// (a write to the flag store only, as a portal edit: picked up by the 2 s sync).
/// </summary>
public static class KillSwitchPropagation
{
    public static async Task RunAsync(int flips)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var ct = stop.Token;
        await using var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), null, ct);
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage__TablePrefix"] = "bench",
            ["Auth__Issuer"] = "https://huntaze.local/bench",
            ["Auth__Audience"] = "api://huntaze-onboarding",
            ["Auth__DevelopmentSigningKey"] = Convert.ToBase64String(new byte[32]),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        BenchTimers.Quiet(settings);
        var a = await StartAsync(settings, ct);
        var b = await StartAsync(settings, ct);
        try
        {
            while (!b.Services.GetRequiredService<FlagState>().IsLoaded || !a.Services.GetRequiredService<FlagState>().IsLoaded)
            {
                await Task.Delay(50, ct);
            }

            foreach (var path in new[] { "admin", "direct" })
            {
                var samples = new List<double>();
                for (var i = 0; i < flips; i++)
                {
                    // Flip at a random phase of the poll and sync periods: flipping right after the previous
                    // observation would lock onto the poll tick and measure a full period every time.
#pragma warning disable CA5394 // Not security-relevant.
                    await Task.Delay(Random.Shared.Next(0, 2000), ct);
#pragma warning restore CA5394
                    samples.Add(await FlipAsync(a.Services, b.Services, path, ct));
                }

                samples.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"kill switch via {path,-6}: {flips} flips  p50 {Percentile(samples, 0.50):F0} ms  p99 {Percentile(samples, 0.99):F0} ms  max {samples[^1]:F0} ms"));
            }
        }
        finally
        {
            await b.StopAsync(CancellationToken.None);
            await a.StopAsync(CancellationToken.None);
            await b.DisposeAsync();
            await a.DisposeAsync();
        }
    }

    private static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings, CancellationToken ct)
    {
        var app = LocalHostApp.Build(LoopbackServer.Arguments, new LocalHostOptions { Settings = settings, UseLocalSettingsFile = false, PrintFunctionTable = false });
        await app.StartAsync(ct);
        return app;
    }

    private static async Task<double> FlipAsync(IServiceProvider a, IServiceProvider b, string path, CancellationToken ct)
    {
        var store = a.GetRequiredService<IFlagStore>();
        var target = !b.GetRequiredService<IKillSwitch>().Current.Active;
        var current = await store.GetAsync(FeatureNames.KillSwitch, ct);
        var flag = new FeatureFlag(FeatureNames.KillSwitch, target, target ? "bench" : null);
        var watch = Stopwatch.StartNew();
        await store.SaveAsync(flag, new Dictionary<string, string>(), current is null ? FlagWriteCondition.Absent : FlagWriteCondition.Matching(current.ETag), ct);
        if (path == "admin")
        {
            if (await a.GetRequiredService<SnapshotPublisher>().PublishAfterWriteAsync(ct) is { } published)
            {
                a.GetRequiredService<FlagState>().Apply(published);
            }
        }

        var observer = b.GetRequiredService<IKillSwitch>();
        while (observer.Current.Active != target)
        {
            await Task.Delay(5, ct);
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
