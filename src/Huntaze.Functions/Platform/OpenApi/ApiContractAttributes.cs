namespace Huntaze.Functions.Platform.OpenApi;

/// <summary>
/// The JSON body an HTTP function reads (the type it passes to <c>RequestBody.ReadJsonAsync</c>), declared next
/// to its trigger because reflection cannot see it. The OpenAPI document takes the request schema from here.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ApiBodyAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;

    /// <summary>What the schema cannot say (e.g. "a FeatureManagement v2 flag document").</summary>
    public string? Description { get; init; }
}

/// <summary>A POST/PUT/PATCH function that reads no body (e.g. <c>POST /api/onboarding/dismiss</c>), said explicitly.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NoApiBodyAttribute : Attribute;

/// <summary>
/// A response an HTTP function gives besides those the document derives (401/403 from the access policy, 429
/// from the rate limit, 400/413/415 from the body, 404 from route values, 304/412/428 from the conditional
/// headers, 500/503 always). A 2xx names its body type (null for none); a 4xx is a problem and names none.
/// Two 2xx of the same status with different types are documented as <c>anyOf</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiResponseAttribute(int status, Type? type = null) : Attribute
{
    public int Status { get; } = status;

    public Type? Type { get; } = type;

    /// <summary>The response carries an <c>ETag</c> header.</summary>
    public bool ETag { get; init; }

    /// <summary>The response carries a <c>Location</c> header (202 with a status URL).</summary>
    public bool Location { get; init; }

    /// <summary>A body that is not JSON (a download): its media type, documented as a binary string; no <see cref="Type"/>.</summary>
    public string? MediaType { get; init; }

    public string? Description { get; init; }
}

/// <summary>A query-string parameter the function reads (reflection cannot see <c>request.Query[...]</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, Type type, string description) : Attribute
{
    public string Name { get; } = name;

    public Type Type { get; } = type;

    public string Description { get; } = description;

    public bool Required { get; init; }
}

/// <summary>A request header the function reads besides the conditional ones (e.g. <c>Idempotency-Key</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiHeaderAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;
}

/// <summary>The conditional request headers an HTTP function honours (RFC 9110 §13).</summary>
[Flags]
public enum ApiConditions
{
    None = 0,

    /// <summary><c>If-None-Match</c> on a read: 304 when the representation is unchanged.</summary>
    IfNoneMatch = 1,

    /// <summary><c>If-Match</c> on a write: 412 with the current representation when it moved; 428 when the write must be conditional.</summary>
    IfMatch = 2,

    /// <summary><c>If-None-Match: *</c> on a write: create only, 412 when it exists.</summary>
    CreateOnly = 4,
}

/// <summary>Declares <see cref="ApiConditions"/> next to the trigger.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ApiConditionalAttribute(ApiConditions conditions) : Attribute
{
    public ApiConditions Conditions { get; } = conditions;

    /// <summary>A write without a precondition is refused with 428 (otherwise If-Match is optional).</summary>
    public bool Required { get; init; }
}
