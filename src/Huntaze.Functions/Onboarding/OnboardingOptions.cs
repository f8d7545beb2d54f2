namespace Huntaze.Functions.Onboarding;

/// <summary>Settings under <c>Onboarding__*</c> (documented in docs/api/onboarding.md).</summary>
public sealed class OnboardingOptions
{
    public const string Section = "Onboarding";

    /// <summary>Logical table name (the storage prefix is added); letters and digits.</summary>
    public string TableName { get; set; } = "OnboardingProgress";

    /// <summary>Re-read-and-retry rounds when the user's guide moved under a write, 1..20.</summary>
    public int ConflictRetries { get; set; } = 8;

    /// <summary>Retry-After (seconds) sent with 503 while the kill switch is on.</summary>
    public int KillSwitchRetryAfterSeconds { get; set; } = 60;

    /// <summary>Users handled per migration activity (one orchestration turn), listed 1,000 per query page.</summary>
    public int MigrationUsersPerActivity { get; set; } = 2500;

    /// <summary>Users migrated at once inside one batch activity.</summary>
    public int MigrationParallelism { get; set; } = 32;

    /// <summary>Pages handled before the migration orchestration continues as new (bounds its history).</summary>
    public int MigrationPagesPerGeneration { get; set; } = 20;
}
