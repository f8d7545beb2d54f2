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
            "Art. 6(1)(f): legitimate interest in releasing features safely. The creator may object (Art. 21).",
            ["Creators."],
            ["User id (targeting lists, percentage bucketing)", "Market and roles from the sign-in token (not stored)"],
            ["Huntaze administrators", "Microsoft Azure App Configuration (processor)"],
            "None.",
            "Targeting lists: until the user is removed or erased. Bucketing stores nothing.",
            [.. CommonMeasures, "Flag writes conditional on ETags, audited with before and after."],
            ["An objection removes the user from percentage rollouts: they get the flag's default (off) unless listed by name."]),
        new(
            ProcessingActivities.Analytics, "Product analytics of onboarding",
            ["Understand where creators get stuck in onboarding (steps started, completed, skipped; nudges snoozed)."],
            "Art. 6(1)(f): legitimate interest in improving the product, with the right to object (Art. 21); consent where the consent record requires it.",
            ["Creators."],
            ["Pseudonymous user id", "Event kind, step id and time"],
            ["Microsoft Azure Monitor / Application Insights (processor)"],
            "None: workspace in the deployment's EU region.",
            "365 days (workspace retention).",
            [.. CommonMeasures, "Events filtered server-side (IOnboardingEventFilter) before they leave the app."],
            ["An objection stops the user's events at once, server-side."]),
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
    ];

    public static IReadOnlyList<CookieDeclaration> Cookies { get; } =
    [
        new(AuthenticationStep.SessionCookieName, "strictly-necessary", "Carries the sign-in session's access token for browser calls.", "Session (the token's lifetime)", "Front end (BFF) at sign-in", "Secure; HttpOnly; SameSite=Strict; Path=/"),
    ];

    /// <summary>The registry as the app serves it: activities, the data map (names as configured) and cookies.</summary>
    public static ProcessingRegistry Build(DataMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new ProcessingRegistry(Controller, DataProtectionOfficer, Activities, map.Stores, Cookies);
    }
}
