using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace Huntaze.Functions.Flags.Evaluation;

/// <summary>
/// Microsoft's <see cref="TimeWindowFilter"/> (start, end, recurrence) on our <see cref="TimeProvider"/>, with
/// its parameters bound once per snapshot as <see cref="PreboundTargetingFilter"/> does for targeting.
/// </summary>
[FilterAlias(Alias)]
public sealed class ClockedTimeWindowFilter(TimeProvider time, ILoggerFactory loggerFactory) : IFeatureFilter
{
    /// <summary>Internal name in feature definitions; documents keep saying <c>Microsoft.TimeWindow</c>.</summary>
    public const string Alias = "Huntaze.TimeWindow";

    private readonly TimeWindowFilter _inner = new(loggerFactory) { SystemClock = time };
    private readonly ConditionalWeakTable<IConfiguration, object> _settings = [];

    public Task<bool> EvaluateAsync(FeatureFilterEvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Settings ??= _settings.GetValue(context.Parameters, _inner.BindParameters);
        return _inner.EvaluateAsync(context);
    }
}
