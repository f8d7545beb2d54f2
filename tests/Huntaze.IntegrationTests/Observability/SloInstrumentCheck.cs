using Huntaze.Functions.Observability.Slo;

namespace Huntaze.IntegrationTests.Observability;

/// <summary>Instruments an active SLO or alert names that nothing emitted: each is an SLO that can never be measured.</summary>
public static class SloInstrumentCheck
{
    public static IReadOnlyList<string> Missing(SloDocument document, IReadOnlySet<string> emitted) =>
        [.. document.Instruments().Where(i => !i.Pending && !emitted.Contains(i.Instrument)).Select(i => i.Instrument).Distinct().Order()];
}
