using Microsoft.FeatureManagement;

namespace Huntaze.Functions.Flags.Evaluation;

/// <summary>
/// Stands for a filter we cannot evaluate (a custom filter written in the portal): it never matches, as
/// Microsoft.FeatureManagement treats a missing filter when told to ignore it. The document keeps the filter.
/// </summary>
[FilterAlias(Alias)]
public sealed class UnsupportedFilter : IFeatureFilter
{
    public const string Alias = "Huntaze.Unsupported";

    public Task<bool> EvaluateAsync(FeatureFilterEvaluationContext context) => Task.FromResult(false);
}
