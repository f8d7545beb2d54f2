using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Security.Authentication;

namespace Huntaze.Functions.Privacy.Registry;

/// <summary>Ids of the processing activities (referenced by the data map).</summary>
public static class ProcessingActivities
{
    public const string Onboarding = "onboarding";
    public const string Experimentation = "experimentation";
    public const string Analytics = "analytics";
    public const string Security = "security";
    public const string Requests = "data-subject-requests";
    public const string Consent = "consent-records";
}

/// <summary>
/// The Art. 30(1) record: who is responsible, and each processing activity with its purposes, lawful
/// basis, categories, recipients, transfers, retention and security measures. Periods start from the
/// original registry (completed steps 2 years, events 365 days, data of deleted accounts 30 days);
/// where one changed, the entry says why.
/// </summary>
public static class HuntazeRegistry
{
    private static readonly string[] CommonMeasures =
    [
        "Encryption at rest (Azure Storage, AES-256) and in transit (TLS 1.2+ only).",
        "Managed identity for every storage and configuration access; shared keys disabled (bicep/).",
        "Role-based access on every endpoint (roles user, admin, dpo, support), default deny; a test checks every function.",
        "Hash-chained audit log of admin actions, refusals and data-subject requests; user ids in it encrypted per subject.",
        "No personal data in logs beyond the pseudonymous user id.",
    ];

    public static Party Controller { get; } = new("Huntaze", "privacy@huntaze.com", "Huntaze, registered office as published in the legal notice of huntaze.com");

    public static Party DataProtectionOfficer { get; } = new("Data Protection Officer, Huntaze", "dpo@huntaze.com");

    public static IReadOnlyList<ProcessingActivity> Activities { get; } =
    [
        new(
            ProcessingActivities.Onboarding, "Creator onboarding guide",
            ["Guide new creators through setting up their account and store.", "Keep the answers their storefront's legal notices need (Impressum, mentions légales)."],
            "Art. 6(1)(b): necessary for the contract with the creator.",
            ["Creators (account holders)."],
            ["User id", "Step statuses and times", "Step answers: may include name, postal address, company and registration details"],
            ["Huntaze support and administrators (roles support, admin)", "Microsoft Azure (processor: hosting, storage)"],
            "None: stored in the EU region of the deployment. Microsoft's processor terms (DPA with Standard Contractual Clauses) cover remote support access.",
            "While the account exists; a completed guide 2 years after completion; everything 30 days after the account is deleted (the erasure request).",
            [.. CommonMeasures, "Optimistic concurrency on every write; per-user rate limits."],
            []),
        new(
            ProcessingActivities.Experimentation, "Feature rollout and experimentation",
            ["Roll features out progressively and measure them (percentage rollouts, targeted user lists)."],
            "Art. 6(1)(f): legitimate interest in releasing features safely; the creator may object (Art. 21). Experiments that tailor the experience (flags named 'Experiment.*') need the 'personalization' consent category (Art. 6(1)(a)).",
            ["Creators."],
            ["User id (targeting lists, percentage bucketing)", "Market and roles from the sign-in token (not stored)"],
            ["Huntaze administrators", "Microsoft Azure App Configuration (processor)"],
            "None.",
            "Targeting lists: until the user is removed or erased. Bucketing stores nothing.",
            [.. CommonMeasures, "Flag writes conditional on ETags, audited with before and after."],
            ["An objection removes the user from percentage rollouts: they get the flag's default (off) unless listed by name. Without personalization consent the same holds for 'Experiment.*' flags."]),
        new(
            ProcessingActivities.Analytics, "Product analytics of onboarding",
            ["Understand where creators get stuck in onboarding (steps started, completed, skipped; nudges snoozed)."],
            "Art. 6(1)(a): the creator's consent to the 'analytics' category (consent record); an objection (Art. 21) or a restriction (Art. 18) also stops it.",
            ["Creators."],
            ["Pseudonymous user id", "Event kind, step id and time"],
            ["Microsoft Azure Monitor / Application Insights (processor)"],
            "None: workspace in the deployment's EU region.",
            "365 days (workspace retention).",
            [.. CommonMeasures, "Events filtered server-side (one IOnboardingEventFilter: consent, objection, restriction) before they leave the app."],
            ["An objection stops the user's events at once, server-side; so does withdrawing consent (within Consent:CacheSeconds on other instances)."]),
        new(
            ProcessingActivities.Security, "Security and abuse prevention",
            ["Authenticate callers, limit request rates, defend against CSRF, keep an audit trail."],
            "Art. 6(1)(f) legitimate interest, and Art. 6(1)(c) with Art. 32 (security of processing).",
            ["Creators", "Staff (administrators, DPO, support)", "Anonymous visitors (client IP, hashed)"],
            ["User ids (hashed in rate-limit counters, encrypted per subject in the audit log)", "Hashed client IPs", "Audit entries: action, target, outcome, time, correlation id"],
            ["Huntaze administrators and DPO (audit log)", "Microsoft Azure (processor)"],
            "None.",
            "Rate-limit counters 2 days; audit log 3 years; subject keys as long as the entries they protect.",
            [.. CommonMeasures, $"Session cookie {AuthenticationStep.SessionCookieName} is Secure, HttpOnly, SameSite=Strict."],
            []),
        new(
            ProcessingActivities.Requests, "Data-subject requests",
            ["Answer access, portability, erasure, rectification, restriction and objection requests (Art. 15–22) within the Art. 12(3) deadline, and prove it."],
            "Art. 6(1)(c): legal obligation (Art. 12–22 GDPR).",
            ["Creators who make a request", "DPO staff handling them"],
            ["User id", "Request type, dates, status, claims and notes", "Export archives (a copy of the subject's data)", "Keyed hash of erased user ids (erasure ledger)"],
            ["The data subject (their own archive)", "The DPO"],
            "None.",
            "Export archives 7 days; closed requests 3 years (pseudonymised on erasure); erasure ledger 13 months.",
            [.. CommonMeasures, "Exports in a private container, downloaded only through the authenticated API.", "Erasure verified by a scan of every store, recorded in the request."],
            []),
        new(
            ProcessingActivities.Consent, "Consent records",
            ["Record each consent choice (banner, settings, API) so the controller can demonstrate consent (Art. 7(1)) and obey it server-side.", "Link a visitor's choice made before sign-in to their account."],
            "Art. 6(1)(c): the legal obligation to demonstrate consent (Art. 7(1) GDPR; for the cookie choice, Art. 5(3) of the ePrivacy Directive as transposed).",
            ["Creators", "Anonymous visitors of pages showing the banner"],
            ["Anonymous consent id (cookie)", "User id (until erasure)", "Choices per category, policy version, time, source", "SHA-256 of the browser's User-Agent"],
            ["Huntaze DPO (proof)", "Microsoft Azure (processor)"],
            "None.",
            "Signed-in users' records while the account exists, then pseudonymised and kept 3 years after erasure; anonymous records 13 months after the visitor's last choice.",
            [.. CommonMeasures, $"Cookie {ConsentCookie.Name} is {ConsentCookie.Attributes}; its value is a random 128-bit id issued with the first choice.", "Append-only records (insert-only, conditional on the next sequence)."],
            []),
    ];

    public static IReadOnlyList<CookieDeclaration> Cookies { get; } =
    [
        new(AuthenticationStep.SessionCookieName, "strictly-necessary", "Carries the sign-in session's access token for browser calls.", "Session (the token's lifetime)", "Front end (BFF) at sign-in", "Secure; HttpOnly; SameSite=Strict; Path=/"),
        new(ConsentCookie.Name, "strictly-necessary", "Remembers the visitor's consent choice before sign-in: a random consent id naming their consent records.", "182 days (Consent:CookieDays), renewed at each choice", "This API, with the first choice (PUT /api/consent)", ConsentCookie.Attributes),
    ];

    /// <summary>
    /// The banner's categories with their Google Consent Mode v2 signals (every v2 signal is set by exactly one
    /// category) and what each one governs on the server.
    /// </summary>
    public static IReadOnlyList<ConsentCategory> ConsentCategories { get; } =
    [
        new(Consent.ConsentCategories.Necessary, "Necessary", "What the service needs to work: sign-in, security, remembering this choice.", true,
            ["functionality_storage", "security_storage"], [ProcessingActivities.Security, ProcessingActivities.Consent]),
        new(Consent.ConsentCategories.Analytics, "Analytics", "Product analytics of onboarding (events: steps started, completed, skipped; nudges).", false,
            ["analytics_storage"], [ProcessingActivities.Analytics]),
        new(Consent.ConsentCategories.Marketing, "Marketing", "Advertising measurement and personalised advertising (the front end's tags; nothing server-side today).", false,
            ["ad_storage", "ad_user_data", "ad_personalization"], []),
        new(Consent.ConsentCategories.Personalization, "Personalization", "Experiments that tailor the experience: flags named 'Experiment.*' (targeted rollouts of releases are not).", false,
            ["personalization_storage"], [ProcessingActivities.Experimentation], "Experiment."),
    ];

    /// <summary>The optional category an activity needs (null: none), as <see cref="ConsentCategories"/> declares.</summary>
    public static string? ConsentRequiredBy(string activity) =>
        ConsentCategories.FirstOrDefault(c => !c.AlwaysOn && c.FlagPrefix is null && c.RequiredBy.Contains(activity))?.Id;

    /// <summary>The optional categories a flag needs (its name starts with the category's flag prefix).</summary>
    public static IEnumerable<string> ConsentRequiredForFlag(string feature) =>
        ConsentCategories.Where(c => !c.AlwaysOn && c.FlagPrefix is { } prefix && feature.StartsWith(prefix, StringComparison.Ordinal)).Select(c => c.Id);

    /// <summary>The registry as the app serves it: activities, the data map (names as configured) and cookies.</summary>
    public static ProcessingRegistry Build(DataMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new ProcessingRegistry(Controller, DataProtectionOfficer, Activities, map.Stores, Cookies, ConsentCategories);
    }
}
