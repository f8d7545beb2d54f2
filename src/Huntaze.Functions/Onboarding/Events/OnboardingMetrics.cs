using System.Diagnostics.Metrics;
using Huntaze.Functions.Observability;

namespace Huntaze.Functions.Onboarding.Events;

/// <summary>Onboarding instruments on the app's one meter.</summary>
public static class OnboardingMetrics
{
    private static readonly Counter<long> StepsCompleted =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.onboarding.steps_completed", description: "Steps marked completed.");

    private static readonly Counter<long> OnboardingCompleted =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.onboarding.completed", description: "Users who completed every required step.");

    private static readonly Counter<long> Conflicts =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.onboarding.conflicts", description: "Rejected writes by status (409, 412, 428).");

    private static readonly Counter<long> GateBlocks =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.onboarding.gate_blocks", description: "Gate checks that blocked an action.");

    private static readonly Counter<long> MigrationUsers =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.onboarding.migration_users", description: "Users handled by step-version migrations, by outcome.");

    public static void StepCompleted(string stepId) => StepsCompleted.Add(1, new KeyValuePair<string, object?>("step", stepId));

    public static void Completed() => OnboardingCompleted.Add(1);

    public static void Conflict(int status) => Conflicts.Add(1, new KeyValuePair<string, object?>("status", status));

    public static void GateBlocked(string gate) => GateBlocks.Add(1, new KeyValuePair<string, object?>("gate", gate));

    public static void Migrated(string outcome, long count) => MigrationUsers.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
}
