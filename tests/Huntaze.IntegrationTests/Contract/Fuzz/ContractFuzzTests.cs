using System.Text;
using Huntaze.Functions.Platform.Storage;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Huntaze.IntegrationTests.Contract.Fuzz;

/// <summary>
/// Issue 15, item 3: requests generated from the served OpenAPI document, mutated, sent through a local host of
/// its own (its own Azurite, so the stored-data checksum sees this run's writes only). CI sends
/// <see cref="CiRequests"/>; the full run is <c>bash bench/fuzz.sh</c> (10,000 requests, same seed).
/// Replay: the same seed and count send the same requests; a failure names its index.
/// </summary>
public sealed class ContractFuzzTests
{
    public const int CiRequests = 1000;
    public const int DefaultSeed = 15;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 600_000)]
    public async Task Fuzz_GeneratedAndMutatedRequests_NoServerErrorEveryErrorAProblemAndRejectionsChangeNoData()
    {
        var ct = TestContext.Current.CancellationToken;
        var count = RunSettings.Count("HUNTAZE_FUZZ_REQUESTS", CiRequests);
        var seed = RunSettings.Count("HUNTAZE_FUZZ_SEED", DefaultSeed);
        await using var azurite = await HostFixture.StartAzuriteAsync(ct);
        var prefix = "fz" + Guid.NewGuid().ToString("N")[..8];
        var settings = HostFixture.BaseSettings(azurite.ConnectionString, prefix);
        foreach (var policy in new[] { "step-writes", "snooze", "privacy-requests", "alert-relay" })
        {
            // The fuzzer is one client on 127.0.0.1: production limits would turn most of the run into 429s.
            settings[$"RateLimits__{policy}__Limit"] = "1000000";
        }

        await using var host = await LocalHostInstance.StartAsync(settings, Ct);
        // Until its first flag snapshot loads, a host answers onboarding 503 by design (fail-safe): not a 5xx to count.
        await host.WaitUntilOnboardingEnabledAsync();
        var storage = host.Services.GetRequiredService<StorageClients>();
        var document = await ServedDocumentAsync(host);
        var generator = new FuzzRequestGenerator(document, seed);
        var runner = new FuzzRunner(host.BaseAddress, new StoredDataChecksum(storage.TableService, storage.BlobService, prefix));

        var report = await runner.RunAsync(generator, seed, count, Ct);

        RunSettings.Report("[fuzz] " + report.Summary());
        Assert.True(report.Failures.Count == 0,
            $"{report.Summary()}\n{string.Join("\n", report.Failures.Take(25))}");
        Assert.Equal(0, report.ServerErrors);
        Assert.Equal(count, report.Sent);
        Assert.True(report.ChecksumsCompared > 0 && report.Accepted > 0 && report.Rejected > 0, report.Summary());
    }

    [Fact]
    public async Task Generator_SameSeed_SendsTheSameRequests()
    {
        var document = await CommittedDocumentAsync();

        var first = new FuzzRequestGenerator(document, 7);
        var second = new FuzzRequestGenerator(document, 7);

        for (var i = 0; i < 400; i++)
        {
            var (a, b) = (first.Next(i), second.Next(i));
            Assert.Equal(a.ToString(), b.ToString());
            Assert.Equal(a.Body, b.Body);
        }
    }

    [Fact]
    public async Task Generator_FirstRequests_VisitEveryMethodOnEveryRouteAndEveryMutationAppears()
    {
        var document = await CommittedDocumentAsync();
        var generator = new FuzzRequestGenerator(document, DefaultSeed);

        var requests = Enumerable.Range(0, CiRequests).Select(generator.Next).ToList();

        var routes = document.Paths.Count * FuzzRequestGenerator.Methods.Length;
        foreach (var path in document.Paths.Keys)
        {
            foreach (var method in FuzzRequestGenerator.Methods)
            {
                Assert.Contains(requests.Take(routes), r => r.Method == method && Matches(path, r.PathAndQuery));
            }
        }

        Assert.Equal(Enum.GetValues<Mutation>().Order(), requests.SelectMany(r => r.Mutations).Distinct().Order());
        // The checksum needs the run's migrations to be dry runs, and the kill switch never switched on.
        foreach (var request in requests.Where(r => r.Operation is "OnboardingMigrationStart" or "AdminKillSwitchSet" && r.Body is not null
            && !r.Mutations.Contains(Mutation.InvalidUtf8) && !r.Mutations.Contains(Mutation.DuplicateKeys)))
        {
            var body = TryParse(request.Body!);
            Assert.True(body is not System.Text.Json.Nodes.JsonObject o
                || (request.Operation == "OnboardingMigrationStart" ? o["dryRun"]?.GetValueKind() is not (null or System.Text.Json.JsonValueKind.False) : o["active"]?.GetValueKind() is not System.Text.Json.JsonValueKind.True),
                request.ToString());
        }
    }

    private static System.Text.Json.Nodes.JsonNode? TryParse(byte[] body)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static bool Matches(string template, string pathAndQuery)
    {
        var path = pathAndQuery.Split('?')[0];
        var expected = ("/api" + template).Split('/');
        var actual = path.Split('/');
        return expected.Length == actual.Length && expected.Zip(actual).All(p => p.First.StartsWith('{') || p.First == p.Second);
    }

    private static async Task<OpenApiDocument> ServedDocumentAsync(LocalHostInstance host)
    {
        using var client = host.CreateClient();
        await using var stream = await client.GetStreamAsync("/api/openapi.json", Ct);
        return (await OpenApiDocument.LoadAsync(stream, "json", cancellationToken: Ct)).Document!;
    }

    private static async Task<OpenApiDocument> CommittedDocumentAsync()
    {
        var json = await File.ReadAllTextAsync(Path.Combine(Huntaze.LocalHost.Configuration.RepositoryPaths.FindRoot()!, "docs", "api", "openapi.json"), Ct);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return (await OpenApiDocument.LoadAsync(stream, "json", cancellationToken: Ct)).Document!;
    }
}
