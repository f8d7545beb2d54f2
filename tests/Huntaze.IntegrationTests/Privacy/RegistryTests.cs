using System.Net;
using System.Text.Json;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>The registry the API serves, and the generated docs/privacy/article-30.md that must equal it.</summary>
public sealed class RegistryTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("dpo")]
    [InlineData("admin")]
    public async Task Registry_DpoOrAdmin_ServesActivitiesDataMapAndCookies(string role)
    {
        using var client = fixture.CreateClient(HostFixture.NewUserId(role), "FR", role);

        using var response = await client.GetAsync("/api/admin/privacy/registry", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var registry = await ReadAsync(response);
        Assert.Equal(HuntazeDataMap.Stores.Select(s => s.Name), registry.DataMap.Select(s => s.Name));
        Assert.Contains(registry.Activities, a => a.Id == ProcessingActivities.Requests);
        Assert.NotEmpty(registry.Cookies);
    }

    [Theory]
    [InlineData("user")]
    [InlineData("support")]
    public async Task Registry_OtherRoles_Forbidden(string role)
    {
        using var client = fixture.CreateClient(HostFixture.NewUserId(role), "FR", role);

        using var response = await client.GetAsync("/api/admin/privacy/registry", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    /// <summary>
    /// The doc is the served registry rendered. With HUNTAZE_WRITE_GENERATED_DOCS=1 the test rewrites it
    /// instead (then review the diff and commit it).
    /// </summary>
    [Fact]
    public async Task Article30Doc_EqualsTheServedRegistry()
    {
        using var client = fixture.CreateClient(HostFixture.NewUserId("dpo"), "FR", "dpo");
        using var response = await client.GetAsync("/api/admin/privacy/registry", Ct);
        var rendered = RegistryMarkdown.Render(await ReadAsync(response));
        var path = Path.Combine(RepositoryRoot(), RegistryMarkdown.RelativePath);

        if (Environment.GetEnvironmentVariable("HUNTAZE_WRITE_GENERATED_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, rendered, Ct);
        }

        var committed = File.Exists(path) ? (await File.ReadAllTextAsync(path, Ct)).ReplaceLineEndings("\n") : "(missing)";
        Assert.True(committed == rendered,
            $"{RegistryMarkdown.RelativePath} differs from GET /api/admin/privacy/registry. Regenerate it: HUNTAZE_WRITE_GENERATED_DOCS=1 dotnet test --project tests/Huntaze.IntegrationTests --filter-method \"*Article30*\"");
    }

    private static async Task<ProcessingRegistry> ReadAsync(HttpResponseMessage response) =>
        JsonSerializer.Deserialize<ProcessingRegistry>(await response.Content.ReadAsStringAsync(Ct), ApiJson.Options)!;

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Huntaze.Functions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
