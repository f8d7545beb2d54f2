namespace Huntaze.Functions.Privacy.Consent;

/// <summary>Settings under <c>Consent__*</c> (README; docs/privacy/consent.md).</summary>
public sealed class ConsentOptions
{
    public const string Section = "Consent";

    /// <summary>The policy version in force when none is configured.</summary>
    public const string DefaultPolicyVersion = "2026-12-01";

    /// <summary>
    /// The published consent policy versions, oldest first; the last is current. A record under an older version
    /// makes the banner ask again; it still counts until then unless a later version requires new consent.
    /// Empty → one version, <see cref="DefaultPolicyVersion"/>.
    /// </summary>
    public IList<ConsentPolicy> Policies { get; } = [];

    /// <summary>Lifetime of the anonymous consent cookie in days, renewed at every choice (CNIL: about 6 months).</summary>
    public int CookieDays { get; set; } = 182;

    /// <summary>How long an instance reuses a user's consent when filtering events and targeting (a change made on the instance applies at once).</summary>
    public int CacheSeconds { get; set; } = 5;

    public ConsentPolicy Current => Policies[^1];

    public ConsentPolicy? Find(string? version) => Policies.FirstOrDefault(p => string.Equals(p.Version, version, StringComparison.Ordinal));

    /// <summary>
    /// Whether a choice recorded under <paramref name="version"/> still holds: the version is published and no
    /// later one requires new consent.
    /// </summary>
    public bool StillHolds(string version)
    {
        var index = Policies.ToList().FindIndex(p => string.Equals(p.Version, version, StringComparison.Ordinal));
        return index >= 0 && !Policies.Skip(index + 1).Any(p => p.RequiresNewConsent);
    }
}

/// <summary>One published version of the consent policy (the banner's text and purposes).</summary>
public sealed class ConsentPolicy
{
    public string Version { get; set; } = "";

    /// <summary>True when this version changes purposes: choices made under earlier versions stop counting until the user answers again.</summary>
    public bool RequiresNewConsent { get; set; } = true;
}
