using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Huntaze.Functions.Observability;

/// <summary>
/// Root sampler: drops client spans that have no parent. Outside a request or an orchestration those are background
/// polls (the flag snapshot poll runs every second on every instance, the sync every 2 s): exported, they would be
/// ~130,000 dependency records a day per instance and say nothing. Everything else is sampled; children follow their
/// parent (used under <see cref="ParentBasedSampler"/>).
/// </summary>
public sealed class BackgroundCallSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client ? Drop : Keep;
}
