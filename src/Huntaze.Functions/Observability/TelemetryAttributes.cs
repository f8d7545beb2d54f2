namespace Huntaze.Functions.Observability;

/// <summary>
/// Attribute names the app puts on spans and measurements. The only identifiers a span may carry are the
/// correlation id and the pseudonymous user id (the token's <c>sub</c>); <see cref="PersonalDataRedactor"/>
/// removes the personal attributes instrumentation libraries add on their own.
/// </summary>
public static class TelemetryAttributes
{
    public const string CorrelationId = "huntaze.correlation_id";

    /// <summary>OpenTelemetry semantic convention for a pseudonymous end-user identifier.</summary>
    public const string PseudonymousUserId = "enduser.pseudo.id";

    public const string Route = "http.route";
    public const string Method = "http.request.method";
    public const string StatusCode = "http.response.status_code";
}
