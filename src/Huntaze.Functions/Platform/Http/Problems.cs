using System.Globalization;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// The one place that builds problems: a factory per kind, each filling that kind's documented extra members
/// (docs/api/problems.md) and headers. Services and functions throw what these return and never build
/// extension dictionaries themselves; a test fails if anything else constructs a <see cref="ProblemException"/>.
/// </summary>
public static class Problems
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(5);

    public static ProblemException BadRequest(string detail) => new(ProblemTypes.BadRequest, detail);

    /// <summary>The member of a validation problem mapping each invalid field to its messages (also in the OpenAPI schema).</summary>
    public const string ErrorsMember = "errors";

    /// <summary>One invalid field: <c>errors</c> is <c>{ field: [message] }</c> and the message is the detail.</summary>
    public static ProblemException Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] }, message);

    /// <summary>Several invalid fields: <c>errors</c> maps each field to its messages (the one shape of <c>errors</c>).</summary>
    public static ProblemException Validation(IReadOnlyDictionary<string, string[]> errors, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return new ProblemException(
            ProblemTypes.Validation,
            detail ?? string.Join(" ", errors.Values.SelectMany(m => m)),
            new Dictionary<string, object?> { [ErrorsMember] = errors });
    }

    /// <summary>The body is not the JSON we accept; <paramref name="path"/> is the JSON path of the problem when known.</summary>
    public static ProblemException MalformedJson(string detail, string? path = null) =>
        new(ProblemTypes.MalformedJson, detail, path is null ? null : new Dictionary<string, object?> { ["path"] = path });

    public static ProblemException PayloadTooLarge(int maxBytes) =>
        new(ProblemTypes.PayloadTooLarge, $"The request body exceeds {maxBytes} bytes.", new Dictionary<string, object?> { ["maxBytes"] = maxBytes });

    public static ProblemException UnsupportedMediaType() => new(ProblemTypes.UnsupportedMediaType, "Send the body as application/json.");

    /// <summary>
    /// 401 with <c>WWW-Authenticate</c> (RFC 6750 §3). The reason a credential was refused is not disclosed,
    /// except <paramref name="disclosable"/>: a validly signed token whose content we cannot use (its subject).
    /// </summary>
    public static ProblemException Unauthenticated(bool invalidCredential, string? disclosable = null) => new(
        ProblemTypes.Unauthenticated,
        disclosable ?? (invalidCredential ? "The access token is missing, invalid or expired." : "Authentication is required."),
        headers: new Dictionary<string, string> { ["WWW-Authenticate"] = invalidCredential ? "Bearer error=\"invalid_token\"" : "Bearer" });

    public static ProblemException Forbidden(string detail) => new(ProblemTypes.Forbidden, detail);

    public static ProblemException CsrfRejected(string detail) => new(ProblemTypes.CsrfRejected, detail);

    public static ProblemException NotFound(string detail) => new(ProblemTypes.NotFound, detail);

    /// <summary>404 echoing the id asked for under <paramref name="member"/>, only when it is well-formed (null otherwise).</summary>
    public static ProblemException NotFound(string detail, string member, string? sanitizedId) =>
        new(ProblemTypes.NotFound, detail, new Dictionary<string, object?> { [member] = sanitizedId });

    public static ProblemException MethodNotAllowed(string detail) => new(ProblemTypes.MethodNotAllowed, detail);

    public static ProblemException Conflict(string detail) => new(ProblemTypes.Conflict, detail);

    /// <summary>A rollout stage asked for before the current one has dwelt long enough.</summary>
    public static ProblemException RolloutTooEarly(string reason, string? currentStage, DateTimeOffset? earliestAt) =>
        new(ProblemTypes.Conflict, reason, new Dictionary<string, object?> { ["currentStage"] = currentStage, ["earliestAt"] = earliestAt });

    public static ProblemException PreconditionFailed(string detail) => new(ProblemTypes.PreconditionFailed, detail);

    /// <summary>412 carrying the current representation and its ETag (also as the <c>ETag</c> header), so the client can merge.</summary>
    public static ProblemException PreconditionFailed(string detail, object current, string etag) => new(
        ProblemTypes.PreconditionFailed,
        detail,
        new Dictionary<string, object?> { ["current"] = current, ["etag"] = etag },
        new Dictionary<string, string> { ["ETag"] = etag });

    /// <summary>409 for a write that stated the version it read in its body, and the resource has moved on.</summary>
    public static ProblemException OptimisticLockConflict(string resource, int? attemptedVersion, int currentVersion, object current, string etag) => new(
        ProblemTypes.OptimisticLockConflict,
        $"You sent version {attemptedVersion}, but the {resource} is at version {currentVersion}.",
        new Dictionary<string, object?>
        {
            ["code"] = "OPTIMISTIC_LOCK_CONFLICT",
            ["attemptedVersion"] = attemptedVersion,
            ["currentVersion"] = currentVersion,
            ["current"] = current,
        },
        new Dictionary<string, string> { ["ETag"] = etag });

    public static ProblemException PreconditionRequired(string detail) => new(ProblemTypes.PreconditionRequired, detail);

    /// <summary>A step cannot take a status: <paramref name="code"/> is <c>STEP_REQUIRED</c> or <c>PREREQUISITES_INCOMPLETE</c>.</summary>
    public static ProblemException StepBlocked(string detail, string code, string stepId, IReadOnlyList<string> blockedBy) => new(
        ProblemTypes.StepBlocked,
        detail,
        new Dictionary<string, object?> { ["code"] = code, ["stepId"] = stepId, ["blockedBy"] = blockedBy });

    /// <summary>A product action needs onboarding steps first: the missing steps and where to send the user.</summary>
    public static ProblemException GateBlocked(string detail, string gate, IReadOnlyList<object> missingSteps, object hint) => new(
        ProblemTypes.GateBlocked,
        detail,
        new Dictionary<string, object?> { ["gate"] = gate, ["missingSteps"] = missingSteps, ["hint"] = hint });

    /// <summary>409: the user restricted processing (Art. 18 GDPR); their data is kept but not changed.</summary>
    public static ProblemException ProcessingRestricted(string detail) =>
        new(ProblemTypes.ProcessingRestricted, detail, new Dictionary<string, object?> { ["restriction"] = "art-18" });

    /// <summary>409: erasure refused under a legal hold; the refusal itself is recorded as request <paramref name="requestId"/>.</summary>
    public static ProblemException LegalHold(string detail, string requestId, object hold) =>
        new(ProblemTypes.LegalHold, detail, new Dictionary<string, object?> { ["requestId"] = requestId, ["hold"] = hold });

    /// <summary>410: the resource existed and was deleted (an export past its expiry).</summary>
    public static ProblemException Gone(string detail, DateTimeOffset expiredAt) =>
        new(ProblemTypes.Gone, detail, new Dictionary<string, object?> { ["expiredAt"] = expiredAt });

    /// <summary>
    /// 400: the anonymous consent cookie holds an id this service never issued (or whose records were deleted);
    /// <paramref name="clearCookie"/> (a <c>Set-Cookie</c> that expires it) lets the browser start afresh.
    /// </summary>
    public static ProblemException ConsentCookieUnknown(string clearCookie) => new(
        ProblemTypes.ConsentCookieUnknown,
        "The consent cookie names no consent record; it has been cleared. Ask for consent again.",
        headers: new Dictionary<string, string> { ["Set-Cookie"] = clearCookie });

    /// <summary>429 with <c>Retry-After</c> and the rate-limit headers of the decision.</summary>
    public static ProblemException TooManyRequests(string policy, int limit, int windowSeconds, int retryAfterSeconds, IReadOnlyDictionary<string, string> rateLimitHeaders)
    {
        ArgumentNullException.ThrowIfNull(rateLimitHeaders);
        var headers = new Dictionary<string, string>(rateLimitHeaders, StringComparer.OrdinalIgnoreCase)
        {
            ["Retry-After"] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture),
        };
        return new ProblemException(
            ProblemTypes.TooManyRequests,
            $"The '{policy}' limit of {limit} requests per {windowSeconds} s is used up; retry after {retryAfterSeconds} s.",
            new Dictionary<string, object?> { ["policy"] = policy, ["limit"] = limit, ["windowSeconds"] = windowSeconds, ["retryAfterSeconds"] = retryAfterSeconds },
            headers);
    }

    /// <summary>503 while the onboarding kill switch is on; <paramref name="reason"/> is the operator's reason.</summary>
    public static ProblemException OnboardingDisabled(string reason, TimeSpan retryAfter) => new(
        ProblemTypes.OnboardingDisabled,
        "Onboarding is temporarily switched off; your progress is kept. Try again later.",
        new Dictionary<string, object?> { ["reason"] = reason },
        RetryAfter(retryAfter));

    /// <summary>503: we are busy (e.g. too many simultaneous changes to one resource); nothing was changed.</summary>
    public static ProblemException Unavailable(string detail, TimeSpan retryAfter) =>
        new(ProblemTypes.Unavailable, detail, headers: RetryAfter(retryAfter));

    /// <summary>503: a dependency (storage, identity provider, flag store) cannot be reached; nothing was changed.</summary>
    public static ProblemException DependencyUnavailable(string detail, TimeSpan? retryAfter = null) =>
        new(ProblemTypes.DependencyUnavailable, detail, headers: RetryAfter(retryAfter ?? DefaultRetryAfter));

    /// <summary>Readiness failed: the failing checks by name and every check's report.</summary>
    public static ProblemException NotReady(IReadOnlyList<string> failing, object checks, TimeSpan retryAfter) => new(
        ProblemTypes.DependencyUnavailable,
        $"Not ready: {string.Join(", ", failing)} unavailable.",
        new Dictionary<string, object?> { ["failing"] = failing, ["checks"] = checks },
        RetryAfter(retryAfter));

    /// <summary>The alert relay got JSON that is not an Azure Monitor common-alert-schema notification.</summary>
    public static ProblemException AlertNotCommonSchema(string detail) => new(ProblemTypes.AlertNotCommonSchema, detail);

    /// <summary>503 so Azure Monitor retries the webhook: <paramref name="sink"/> (PagerDuty or Slack) refused or never answered.</summary>
    public static ProblemException AlertDeliveryFailed(string detail, string? sink, TimeSpan retryAfter) => new(
        ProblemTypes.AlertDeliveryFailed,
        detail,
        new Dictionary<string, object?> { ["sink"] = sink },
        RetryAfter(retryAfter));

    /// <summary>The answer to anything unexpected: generic, pointing at the correlation id.</summary>
    public static ProblemException Internal() =>
        new(ProblemTypes.Internal, "An unexpected error occurred. Quote the correlation id when reporting it.");

    /// <summary>Whole seconds, rounded up, at least 1 (RFC 9110 §10.2.3).</summary>
    private static Dictionary<string, string> RetryAfter(TimeSpan retryAfter) =>
        new() { ["Retry-After"] = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture) };
}
