namespace Huntaze.Functions.Platform.Http;

/// <summary>A documented problem kind (docs/api/problems.md): a stable type URI, a title and a status.</summary>
public sealed record ProblemType(string Slug, string Title, int Status)
{
    public const string BaseUri = "https://huntaze.com/problems/";

    public string Uri => BaseUri + Slug;
}

/// <summary>Every problem type the API can answer. Add new kinds here and in docs/api/problems.md.</summary>
public static class ProblemTypes
{
    public static readonly ProblemType BadRequest = new("bad-request", "The request is malformed.", 400);
    public static readonly ProblemType Validation = new("validation", "The request has invalid fields.", 400);
    public static readonly ProblemType MalformedJson = new("malformed-json", "The request body is not valid JSON.", 400);
    public static readonly ProblemType Unauthenticated = new("unauthenticated", "Authentication is required.", 401);
    public static readonly ProblemType Forbidden = new("forbidden", "The caller may not do this.", 403);
    public static readonly ProblemType CsrfRejected = new("csrf", "The request failed cross-site request forgery checks.", 403);
    public static readonly ProblemType NotFound = new("not-found", "The resource does not exist.", 404);
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", "The method is not allowed on this resource.", 405);
    public static readonly ProblemType Conflict = new("conflict", "The request conflicts with the current state.", 409);
    public static readonly ProblemType PreconditionFailed = new("precondition-failed", "The resource has changed since it was read.", 412);
    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", "The request body is too large.", 413);
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", "The request body must be application/json.", 415);
    public static readonly ProblemType PreconditionRequired = new("precondition-required", "The request must be conditional.", 428);
    public static readonly ProblemType TooManyRequests = new("rate-limited", "Too many requests.", 429);
    public static readonly ProblemType OptimisticLockConflict = new("optimistic-lock-conflict", "The resource has changed since the version you read.", 409);
    public static readonly ProblemType StepBlocked = new("onboarding-step-blocked", "The step cannot take this status yet.", 409);
    public static readonly ProblemType GateBlocked = new("onboarding-gate-blocked", "Onboarding steps must be completed first.", 409);
    public static readonly ProblemType OnboardingDisabled = new("onboarding-disabled", "Onboarding is switched off for now.", 503);
    public static readonly ProblemType Gone = new("gone", "The resource existed but has been deleted.", 410);
    public static readonly ProblemType ProcessingRestricted = new("processing-restricted", "Processing of this data is restricted (Art. 18 GDPR).", 409);
    public static readonly ProblemType LegalHold = new("legal-hold", "A legal hold prevents erasure.", 409);
    public static readonly ProblemType ConsentCookieUnknown = new("consent-cookie-unknown", "The consent cookie names no consent record.", 400);
    public static readonly ProblemType Internal = new("internal", "An unexpected error occurred.", 500);
    public static readonly ProblemType Unavailable = new("unavailable", "The service is temporarily unavailable.", 503);
    public static readonly ProblemType DependencyUnavailable = new("dependency-unavailable", "A dependency is unavailable.", 503);
    public static readonly ProblemType AlertNotCommonSchema = new("alert-not-common-schema", "The body is not an Azure Monitor common-alert-schema notification.", 400);
    public static readonly ProblemType AlertDeliveryFailed = new("alert-delivery-failed", "The alert could not be delivered to PagerDuty or Slack.", 503);
}
