using Huntaze.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>
/// A stand-in for Azure Monitor's Alerts Management list API on 127.0.0.1: answers
/// <c>GET /subscriptions/{id}/providers/Microsoft.AlertsManagement/alerts</c> with the shape Azure returns
/// (<c>value[].properties.essentials</c> with <c>alertRule</c> as the rule's resource id, <c>monitorCondition</c>,
/// <c>alertState</c>). <see cref="Respond"/> decides each answer from the number of the query (1-based).
/// </summary>
public sealed class FakeAlertsEndpoint : IAsyncDisposable
{
    public const string Path = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.AlertsManagement/alerts";

    private WebApplication? _app;
    private int _queries;

    /// <summary>Query number → alerts to list, or null to answer 500.</summary>
    public Func<int, IReadOnlyList<Alert>?> Respond { get; set; } = _ => [];

    public int Queries => Volatile.Read(ref _queries);

    public Uri Url { get; private set; } = null!;

    public sealed record Alert(string Rule, string MonitorCondition = "Fired", string AlertState = "New");

    public static async Task<FakeAlertsEndpoint> StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = new FakeAlertsEndpoint();
        endpoint._app = await LoopbackServer.StartAsync(app => app.MapGet(Path, (HttpContext context) =>
        {
            var alerts = endpoint.Respond(Interlocked.Increment(ref endpoint._queries));
            return alerts is null
                ? Results.StatusCode(StatusCodes.Status500InternalServerError)
                : Results.Json(new
                {
                    value = alerts.Select(a => new
                    {
                        id = $"{Path}/{Guid.NewGuid()}",
                        type = "Microsoft.AlertsManagement/alerts",
                        name = a.Rule,
                        properties = new
                        {
                            essentials = new
                            {
                                alertRule = $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-huntaze-prod/providers/microsoft.insights/metricalerts/{a.Rule}",
                                severity = "Sev1",
                                signalType = "Metric",
                                monitorCondition = a.MonitorCondition,
                                alertState = a.AlertState,
                                monitorService = "Platform",
                            },
                        },
                    }),
                });
        }), cancellationToken);
        endpoint.Url = new Uri($"{endpoint._app.Urls.First()}{Path}?api-version=2019-05-05-preview&monitorCondition=Fired");
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
