using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Huntaze.Functions.Observability;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Platform;

public sealed class RequestMetricsTests(HostFixture fixture)
{
    [Fact]
    public async Task Pipeline_HttpRequest_RecordsDurationByRouteAndStatus()
    {
        var recorded = new ConcurrentBag<(double Seconds, string? Route, int? Status)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == HuntazeDiagnostics.Name && instrument.Name == "huntaze.http.server.request.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? route = null;
            int? status = null;
            foreach (var tag in tags)
            {
                route = tag.Key == "http.route" ? tag.Value as string : route;
                status = tag.Key == "http.response.status_code" ? tag.Value as int? : status;
            }

            recorded.Add((value, route, status));
        });
        listener.Start();
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync("/api/health", TestContext.Current.CancellationToken);

        Assert.Contains(recorded, m => m.Route == "health" && m.Status == 200 && m.Seconds > 0);
    }
}
