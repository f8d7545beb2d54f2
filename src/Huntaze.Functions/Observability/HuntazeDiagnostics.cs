using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Huntaze.Functions.Observability;

/// <summary>
/// The app's one <see cref="Meter"/> and one <see cref="ActivitySource"/>. Instruments are named
/// <c>huntaze.{feature}.*</c> and created in the feature that records them.
/// </summary>
public static class HuntazeDiagnostics
{
    public const string Name = "Huntaze.Onboarding";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);
}
