using System.Net;
using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Platform;

public sealed class DurableTests(HostFixture fixture)
{
    [Fact]
    public async Task FanOutOrchestration_StartedOverHttp_SumsActivityResults()
    {
        using var client = fixture.CreateClient();

        using var response = await client.PostAsync("/api/test/fan/10", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Completed", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(385, body.RootElement.GetProperty("sum").GetInt32()); // 1² + … + 10²
    }
}
