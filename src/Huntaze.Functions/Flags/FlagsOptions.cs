namespace Huntaze.Functions.Flags;

/// <summary>Settings of the flags feature (section <c>Flags</c>; docs/flags.md lists each with its default).</summary>
public sealed class FlagsOptions
{
    public const string Section = "Flags";

    public AppConfigurationOptions AppConfiguration { get; set; } = new();

    /// <summary>How often each instance polls the snapshot blob (conditional GET). Kill switch budget: sync + poll + latency ≤ 5 s.</summary>
    public double SnapshotPollSeconds { get; set; } = 1;

    /// <summary>How long start-up waits for the first snapshot before serving with the fail-safe (empty) flag set.</summary>
    public double InitialLoadTimeoutSeconds { get; set; } = 5;

    /// <summary>Beyond this age (no confirmed poll) the flag set is reported degraded by readiness.</summary>
    public double StaleAfterSeconds { get; set; } = 30;

    /// <summary>Flags the frontend may see through <c>GET /api/features</c> (default: Onboarding).</summary>
    // Collections default to empty and the defaults are applied by the Effective* accessors: the configuration
    // binder appends to a pre-filled collection instead of replacing it.
    public List<string> ClientFlags { get; set; } = [];

    /// <summary>The targeting groups of the "internal" rollout stage (default: role:admin, role:support).</summary>
    public List<string> InternalGroups { get; set; } = [];

    /// <summary>
    /// Flags created enabled (for everyone) when absent from the store, by the sync; never changes an existing
    /// flag. Default none; local development and test hosts set <c>Onboarding</c>.
    /// </summary>
    public List<string> SeedEnabled { get; set; } = [];

    public IReadOnlyList<string> EffectiveClientFlags => ClientFlags.Count > 0 ? ClientFlags : [FeatureNames.Onboarding];

    public IReadOnlyList<string> EffectiveInternalGroups => InternalGroups.Count > 0 ? InternalGroups : ["role:admin", "role:support"];
}

/// <summary>The App Configuration store; with neither endpoint nor connection string the embedded Table store is used.</summary>
public sealed class AppConfigurationOptions
{
    /// <summary>e.g. https://huntaze.azconfig.io, authenticated with Entra ID (managed identity).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary><c>Endpoint=…;Id=…;Secret=…</c>, HMAC-signed; for development only (prefer the endpoint with an identity).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Client id of the user-assigned identity that writes flags (the admin API); empty = the app's own identity
    /// writes too. Used with <see cref="Endpoint"/> only (Entra ID).
    /// </summary>
    public string? WriterClientId { get; set; }

    /// <summary>The label of the flags; empty means "no label" (<c>%00</c>).</summary>
    public string Label { get; set; } = string.Empty;

    /// <summary>Per-attempt timeout.</summary>
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>Retries after the first attempt on 429, 5xx, timeouts and connection failures.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff delay; doubled per attempt with jitter, capped by <see cref="MaxDelaySeconds"/>.</summary>
    public double BaseDelaySeconds { get; set; } = 0.2;

    public double MaxDelaySeconds { get; set; } = 5;

    /// <summary>An empty setting binds to an empty relative URI, which means "not configured".</summary>
    public bool IsConfigured => Endpoint is { IsAbsoluteUri: true } || !string.IsNullOrWhiteSpace(ConnectionString);
}
