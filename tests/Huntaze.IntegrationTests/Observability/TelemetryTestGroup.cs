namespace Huntaze.IntegrationTests.Observability;

/// <summary>
/// The telemetry export tests count exact data points and spans. Instruments and activity sources are static
/// (one per process), so every host running in this test process feeds a capture: beside the parallel tests a
/// capture saw 13 other requests on the route it counts. These tests run on their own, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTestGroup
{
    public const string Name = "Telemetry";
}
