using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// What the app really stores, read back from Azurite, against the data map: every table and container
/// under the host's prefix is declared, and every property of every stored entity is classified there.
/// Typed entities are also checked by reflection (unit tests); this catches the untyped ones.
/// </summary>
public sealed class StoredPropertiesTests(HostFixture fixture)
{
    private static readonly HashSet<string> SystemProperties = ["Timestamp", "odata.etag"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryStoredProperty_AfterUseOfEveryFeature_IsClassifiedInTheDataMap()
    {
        await SeedAsync();
        var storage = fixture.Services.GetRequiredService<StorageClients>();
        var map = fixture.Services.GetRequiredService<DataMap>();

        var problems = await UnclassifiedAsync(storage, map);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>Every table and container under the prefix, and every property or blob, that the map does not cover.</summary>
    internal static async Task<List<string>> UnclassifiedAsync(StorageClients storage, DataMap map)
    {
        var problems = new List<string>();
        var tables = 0;
        await foreach (var table in storage.TableService.QueryAsync(cancellationToken: Ct))
        {
            if (!table.Name.StartsWith(storage.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var logical = table.Name[storage.Prefix.Length..];
            if (ScratchTables.WithAppMap.Tables.Contains(logical))
            {
                continue; // storage-layer tests' own tables, written through their own clients
            }

            var store = map.FindTable(logical);
            if (store is null)
            {
                problems.Add($"table '{logical}' is not declared");
                continue;
            }

            tables++;
            await foreach (var entity in storage.TableService.GetTableClient(table.Name).QueryAsync<TableEntity>(cancellationToken: Ct))
            {
                problems.AddRange(entity.Keys.Where(k => !SystemProperties.Contains(k) && !store.Fields.Any(f => f.Matches(k))).Select(k => $"{store.Name}: property '{k}' is not classified"));
            }
        }

        var containerPrefix = storage.ContainerName("x")[..^1];
        await foreach (var container in storage.BlobService.GetBlobContainersAsync(cancellationToken: Ct))
        {
            if (storage.Prefix.Length == 0 || !container.Name.StartsWith(containerPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var store = map.FindContainer(container.Name[containerPrefix.Length..]);
            if (store is null)
            {
                problems.Add($"container '{container.Name}' is not declared");
                continue;
            }

            await foreach (var blob in storage.BlobService.GetBlobContainerClient(container.Name).GetBlobsAsync(cancellationToken: Ct))
            {
                if (!store.Fields.Any(f => BlobMatches(f.Name, blob.Name)))
                {
                    problems.Add($"{store.Name}: blob '{blob.Name}' is not classified");
                }
            }
        }

        Assert.True(tables > 0, "No table found under the prefix: the scan looked in the wrong place.");
        return [.. problems.Distinct()];
    }

    private static bool BlobMatches(string declared, string name) =>
        declared.Contains('{', StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.IsMatch(name, "^" + System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Escape(declared), @"\\\{[^}]+}", "[^/]+") + "$")
            : declared == name;

    /// <summary>Uses each feature once: onboarding with step data, a flag naming users, an audited refusal, rate-limit counters, consent.</summary>
    private async Task SeedAsync()
    {
        await fixture.Host.WaitUntilOnboardingEnabledAsync();
        var user = HostFixture.NewUserId("props");
        using var api = new OnboardingApi(fixture.CreateClient(user));
        using (var write = await api.PatchAsync("creator_assessment", new { status = "in_progress", data = new { company = "Beispiel GmbH", street = "Hauptstr. 1" } }, "\"step-0\""))
        {
            Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        }

        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var flag = "Props" + Guid.NewGuid().ToString("N")[..8];
        var document = "{\"id\":\"" + flag + "\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":{\"Audience\":{\"Users\":[\"" + user + "\"],\"Groups\":[],\"DefaultRolloutPercentage\":0}}}]}}";
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/feature-flags/{flag}") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using (var created = await admin.SendAsync(put, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using var refused = await fixture.CreateClient(user).GetAsync("/api/admin/privacy/registry", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // Consent: a choice before sign-in, linked at sign-in (records in both tables, a link row).
        using var browser = new ConsentClient(fixture.Host);
        await browser.ChooseAsync(analytics: true);
        browser.UserId = user;
        await browser.StateAsync();
    }
}
