using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Huntaze.Functions.Platform.OpenApi;

/// <summary>
/// Builds the OpenAPI 3.1 document from the function catalog: every HTTP function is an operation; its route and
/// methods come from the trigger, its security from the access attribute, its 429 from the rate-limit attribute,
/// its bodies, extra responses, query parameters and conditional headers from the <c>Api*</c> attributes next to
/// the trigger, and the problem types from <see cref="ProblemTypes"/>. Nothing is written twice.
/// </summary>
public static partial class OpenApiDocumentBuilder
{
    public const string Title = "Huntaze Onboarding API";

    /// <summary>The contract's version: bump it on a breaking change (not the build's version, so the committed copy is stable).</summary>
    public const string ContractVersion = "1.0.0";

    public const string BearerScheme = "bearer";
    public const string CookieScheme = "session-cookie";
    public const string ProblemSchema = "Problem";
    public const string JsonMediaType = "application/json";

    public static OpenApiDocument Build(FunctionCatalog catalog, string routePrefix = "api")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = Title,
                Version = ContractVersion,
                Description = Texts.Info,
            },
            Servers = [new OpenApiServer { Url = "/" + routePrefix, Description = "The Functions app (or the local host) under its route prefix." }],
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal),
                Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal),
                Responses = new Dictionary<string, IOpenApiResponse>(StringComparer.Ordinal),
            },
            Tags = new HashSet<OpenApiTag>(),
        };

        var schemas = new ApiSchemas();
        AddSecuritySchemes(document);
        AddHeaders(document);
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var function in catalog.Functions.Where(f => f.Trigger == TriggerKind.Http).OrderBy(f => f.Route, StringComparer.Ordinal).ThenBy(f => f.Name, StringComparer.Ordinal))
        {
            var path = "/" + RouteConstraint().Replace(function.Route!, "{$1}");
            if (!document.Paths.TryGetValue(path, out var item))
            {
                item = new OpenApiPathItem();
                document.Paths[path] = item;
            }

            var tag = FeatureOf(function);
            tags.Add(tag);
            foreach (var method in function.HttpMethods)
            {
                ((OpenApiPathItem)item).AddOperation(new HttpMethod(method), Operation(document, schemas, function, method, tag));
            }
        }

        foreach (var tag in tags)
        {
            document.Tags.Add(new OpenApiTag { Name = tag });
        }

        // Schemas last: operations register the types they use, and each component may pull in more.
        var components = new SortedDictionary<string, JsonObject>(schemas.Components.ToDictionary(c => c.Key, c => c.Value), StringComparer.Ordinal)
        {
            [ProblemSchema] = ProblemJsonSchema(),
        };
        foreach (var (name, schema) in components)
        {
            document.Components.Schemas![name] = ParseSchema(document, name, schema);
        }

        document.Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal)
        {
            ["x-problem-types"] = new JsonNodeExtension(new JsonArray([.. AllProblemTypes().Select(p => (JsonNode)new JsonObject
            {
                ["type"] = p.Uri,
                ["title"] = p.Title,
                ["status"] = p.Status,
            })])),
            ["x-rate-limit-policies"] = new JsonNodeExtension(RateLimitPoliciesNode()),
        };
        return document;
    }

    /// <summary>The document as OpenAPI 3.1 JSON, byte-stable for one catalog (the committed copy is compared byte for byte).</summary>
    public static async Task<string> SerializeAsync(OpenApiDocument document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var stream = new MemoryStream();
        await document.SerializeAsJsonAsync(stream, OpenApiSpecVersion.OpenApi3_1, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()).ReplaceLineEndings("\n").TrimEnd() + "\n";
    }

    /// <summary>Every problem type the API can answer (the static fields of <see cref="ProblemTypes"/>).</summary>
    public static IReadOnlyList<ProblemType> AllProblemTypes() =>
        [.. typeof(ProblemTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ProblemType))
            .Select(f => (ProblemType)f.GetValue(null)!)
            .OrderBy(p => p.Status).ThenBy(p => p.Slug, StringComparer.Ordinal)];

    private static OpenApiOperation Operation(OpenApiDocument document, ApiSchemas schemas, FunctionDescriptor function, string method, string tag)
    {
        var access = function.GetAttribute<AccessPolicyAttribute>();
        var rateLimit = function.GetAttribute<RateLimitAttribute>()?.Policy;
        var body = function.Method.GetCustomAttribute<ApiBodyAttribute>();
        var conditional = function.Method.GetCustomAttribute<ApiConditionalAttribute>();
        var conditions = conditional?.Conditions ?? ApiConditions.None;
        var declared = function.Method.GetCustomAttributes<ApiResponseAttribute>().ToList();
        var routeParameters = RouteParameter().Matches(function.Route!).Select(m => m.Groups[1].Value).ToList();

        var operation = new OpenApiOperation
        {
            OperationId = function.Name,
            Summary = function.Name,
            Description = Describe(access, rateLimit),
            Tags = new HashSet<OpenApiTagReference> { new(tag, document) },
            Parameters = [],
            Responses = [],
            Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal),
        };

        foreach (var name in routeParameters)
        {
            var parameter = function.Method.GetParameters().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Path,
                Required = true,
                Schema = ParseSchema(document, name, schemas.SchemaFor(parameter?.ParameterType ?? typeof(string))),
            });
        }

        foreach (var query in function.Method.GetCustomAttributes<ApiQueryAttribute>())
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Required = query.Required,
                Description = query.Description,
                Schema = ParseSchema(document, query.Name, schemas.SchemaFor(query.Type)),
            });
        }

        if (conditions.HasFlag(ApiConditions.IfMatch))
        {
            operation.Parameters.Add(HeaderParameter("If-Match", conditional!.Required, Texts.IfMatch));
        }

        if (conditions.HasFlag(ApiConditions.IfNoneMatch) || conditions.HasFlag(ApiConditions.CreateOnly))
        {
            operation.Parameters.Add(HeaderParameter("If-None-Match", false, conditions.HasFlag(ApiConditions.CreateOnly) ? Texts.CreateOnly : Texts.IfNoneMatch));
        }

        foreach (var header in function.Method.GetCustomAttributes<ApiHeaderAttribute>())
        {
            operation.Parameters.Add(HeaderParameter(header.Name, false, header.Description));
        }

        if (body is not null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = body.Description,
                Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                {
                    [JsonMediaType] = new OpenApiMediaType { Schema = ParseSchema(document, body.Type.Name, schemas.SchemaFor(body.Type)) },
                },
            };
        }

        // Declared successes (several types for one status: anyOf).
        foreach (var group in declared.Where(d => d.Status < 400).GroupBy(d => d.Status).OrderBy(g => g.Key))
        {
            var first = group.First();
            var response = new OpenApiResponse
            {
                Description = first.Description ?? StatusText(group.Key),
                Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal),
            };
            var types = group.Where(d => d.Type is not null).Select(d => d.Type!).ToList();
            if (types.Count > 0)
            {
                var schema = types.Count == 1
                    ? schemas.SchemaFor(types[0])
                    : new JsonObject { ["anyOf"] = new JsonArray([.. types.Select(t => (JsonNode)schemas.SchemaFor(t))]) };
                response.Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                {
                    [JsonMediaType] = new OpenApiMediaType { Schema = ParseSchema(document, function.Name, schema) },
                };
            }
            else if (first.MediaType is { } mediaType)
            {
                response.Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                {
                    [mediaType] = new OpenApiMediaType { Schema = ParseSchema(document, function.Name, new JsonObject { ["type"] = "string", ["format"] = "binary" }) },
                };
            }

            AddCommonHeaders(document, response, rateLimit);
            if (group.Any(d => d.ETag))
            {
                response.Headers["ETag"] = new OpenApiHeaderReference("ETag", document);
            }

            if (group.Any(d => d.Location))
            {
                response.Headers["Location"] = new OpenApiHeaderReference("Location", document);
            }

            operation.Responses[group.Key.ToString(CultureInfo.InvariantCulture)] = response;
        }

        if (conditions.HasFlag(ApiConditions.IfNoneMatch))
        {
            operation.Responses["304"] = new OpenApiResponseReference("NotModified", document);
        }

        // Problems: derived from the attributes, then any the function declares itself.
        var problems = new SortedSet<int>();
        if (body is not null || routeParameters.Count > 0 || function.Method.GetCustomAttributes<ApiQueryAttribute>().Any() || conditions != ApiConditions.None)
        {
            problems.Add(400);
        }

        if (access is { AllowsAnonymous: false })
        {
            problems.Add(401);
            problems.Add(403);
        }

        if (routeParameters.Count > 0)
        {
            problems.Add(404);
        }

        if (conditions.HasFlag(ApiConditions.IfMatch) || conditions.HasFlag(ApiConditions.CreateOnly))
        {
            problems.Add(412);
        }

        if (conditions.HasFlag(ApiConditions.IfMatch) && conditional!.Required)
        {
            problems.Add(428);
        }

        if (body is not null)
        {
            problems.Add(413);
            problems.Add(415);
        }

        if (rateLimit is not null)
        {
            problems.Add(429);
        }

        problems.Add(500);
        problems.Add(503);
        foreach (var status in declared.Where(d => d.Status >= 400).Select(d => d.Status))
        {
            problems.Add(status);
        }

        foreach (var status in problems)
        {
            operation.Responses[status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponseReference(ProblemResponseName(document, status), document);
        }

        operation.Security = Security(document, access);
        if (access is not null)
        {
            operation.Extensions["x-access"] = new JsonNodeExtension(new JsonObject
            {
                ["anonymous"] = access.AllowsAnonymous,
                ["roles"] = new JsonArray([.. access.Roles.Select(r => (JsonNode)r)]),
            });
        }

        if (rateLimit is not null)
        {
            operation.Extensions["x-rate-limit-policy"] = new JsonNodeExtension(JsonValue.Create(rateLimit));
        }

        return operation;
    }

    private static List<OpenApiSecurityRequirement> Security(OpenApiDocument document, AccessPolicyAttribute? access)
    {
        if (access is null or { AllowsAnonymous: true })
        {
            return [];
        }

        // OpenAPI 3.1 lets a non-OAuth scheme list role names. Any one of the roles suffices here, and
        // requirement objects are alternatives, so each role gets its own (for both credentials).
        var roleSets = access.Roles.Count == 0 ? [[]] : access.Roles.Select(r => new List<string> { r }).ToList();
        var requirements = new List<OpenApiSecurityRequirement>();
        foreach (var scheme in new[] { BearerScheme, CookieScheme })
        {
            foreach (var roles in roleSets)
            {
                requirements.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = roles });
            }
        }

        return requirements;
    }

    private static void AddSecuritySchemes(OpenApiDocument document)
    {
        document.Components!.SecuritySchemes![BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = Texts.Bearer,
        };
        document.Components.SecuritySchemes[CookieScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = Huntaze.Functions.Security.Authentication.AuthenticationStep.SessionCookieName,
            Description = Texts.Cookie,
        };
    }

    private static void AddHeaders(OpenApiDocument document)
    {
        var headers = document.Components!.Headers!;
        headers[Correlation.Header] = StringHeader("The request's correlation id (a valid one sent by the caller is echoed). Every response carries it, with the security headers listed in the description of the API.");
        headers["ETag"] = StringHeader("The entity-tag of the representation: send it back in If-Match to write, or in If-None-Match to read conditionally.");
        headers["Location"] = StringHeader("Where the status of the accepted work can be read.");
        headers["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" } };
        headers["RateLimit"] = StringHeader("draft-ietf-httpapi-ratelimit-headers: `\"policy\";r=remaining;t=seconds-to-reset`.");
        headers["RateLimit-Policy"] = StringHeader("draft-ietf-httpapi-ratelimit-headers: `\"policy\";q=quota;w=window-seconds`.");
        headers["WWW-Authenticate"] = StringHeader("RFC 6750 §3 challenge (`Bearer` or `Bearer error=\"invalid_token\"`).");

        var responses = document.Components.Responses!;
        responses["NotModified"] = new OpenApiResponse
        {
            Description = "Not modified: the If-None-Match entity-tag is current.",
            Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
            {
                ["ETag"] = new OpenApiHeaderReference("ETag", document),
                [Correlation.Header] = new OpenApiHeaderReference(Correlation.Header, document),
            },
        };
    }

    /// <summary>One shared response per problem status, listing the problem types it can carry.</summary>
    private static string ProblemResponseName(OpenApiDocument document, int status)
    {
        var name = "Problem" + status.ToString(CultureInfo.InvariantCulture);
        var responses = document.Components!.Responses!;
        if (responses.ContainsKey(name))
        {
            return name;
        }

        var types = AllProblemTypes().Where(p => p.Status == status).ToList();
        var response = new OpenApiResponse
        {
            Description = $"{StatusText(status)} (application/problem+json). Problem types: {(types.Count == 0 ? "any" : string.Join(", ", types.Select(t => t.Slug)))}.",
            Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
            {
                [Correlation.Header] = new OpenApiHeaderReference(Correlation.Header, document),
            },
            Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
            {
                [ProblemWriter.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
        switch (status)
        {
            case 401:
                response.Headers["WWW-Authenticate"] = new OpenApiHeaderReference("WWW-Authenticate", document);
                break;
            case 412:
                response.Headers["ETag"] = new OpenApiHeaderReference("ETag", document);
                break;
            case 429:
                response.Headers["Retry-After"] = new OpenApiHeaderReference("Retry-After", document);
                response.Headers["RateLimit"] = new OpenApiHeaderReference("RateLimit", document);
                response.Headers["RateLimit-Policy"] = new OpenApiHeaderReference("RateLimit-Policy", document);
                break;
            case 503:
                response.Headers["Retry-After"] = new OpenApiHeaderReference("Retry-After", document);
                break;
        }

        responses[name] = response;
        return name;
    }

    private static void AddCommonHeaders(OpenApiDocument document, OpenApiResponse response, string? rateLimit)
    {
        response.Headers![Correlation.Header] = new OpenApiHeaderReference(Correlation.Header, document);
        if (rateLimit is not null)
        {
            response.Headers["RateLimit"] = new OpenApiHeaderReference("RateLimit", document);
            response.Headers["RateLimit-Policy"] = new OpenApiHeaderReference("RateLimit-Policy", document);
        }
    }

    private static OpenApiHeader StringHeader(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };

    private static OpenApiParameter HeaderParameter(string name, bool required, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = required,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static IOpenApiSchema ParseSchema(OpenApiDocument document, string what, JsonObject schema)
    {
        if (schema.Count == 1 && schema["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith(ApiSchemas.ComponentPrefix, StringComparison.Ordinal))
        {
            return new OpenApiSchemaReference(reference[ApiSchemas.ComponentPrefix.Length..], document);
        }

        var json = schema.ToJsonString();
        var parsed = OpenApiModelFactory.Parse<OpenApiSchema>(json, OpenApiSpecVersion.OpenApi3_1, document, out var diagnostic, OpenApiConstants.Json);
        if (parsed is null || diagnostic is { Errors.Count: > 0 })
        {
            throw new InvalidOperationException($"The schema of '{what}' is not valid OpenAPI 3.1: {string.Join("; ", diagnostic?.Errors.Select(e => e.Message) ?? [])} ({json})");
        }

        return parsed;
    }

    /// <summary>RFC 9457 problem details as <see cref="ProblemWriter"/> writes them; kinds add members (docs/api/problems.md).</summary>
    private static JsonObject ProblemJsonSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 9457 problem details. `type` is one of the URIs in `x-problem-types`; kinds add the members docs/api/problems.md lists (e.g. `errors`, `current`, `etag`, `retryAfterSeconds`).",
        ["required"] = new JsonArray("type", "title", "status", "detail", "instance", "traceId", "correlationId"),
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["format"] = "uri" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer", ["format"] = "int32" },
            ["detail"] = new JsonObject { ["type"] = "string" },
            ["instance"] = new JsonObject { ["type"] = "string" },
            ["traceId"] = new JsonObject { ["type"] = "string" },
            ["correlationId"] = new JsonObject { ["type"] = "string" },
            [Problems.ErrorsMember] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "Validation problems: each invalid field mapped to its messages.",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            },
        },
        ["additionalProperties"] = true,
    };

    private static JsonObject RateLimitPoliciesNode()
    {
        var node = new JsonObject();
        foreach (var (name, policy) in new RateLimitOptions().Policies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            node[name] = new JsonObject
            {
                ["limit"] = policy.Limit,
                ["windowSeconds"] = policy.WindowSeconds,
                ["per"] = name == RateLimitPolicies.Anonymous ? "client IP" : "user (client IP when anonymous)",
                ["whenStoreUnavailable"] = policy.FailOpen ? "admit" : "503",
            };
        }

        return node;
    }

    private static string Describe(AccessPolicyAttribute? access, string? rateLimit)
    {
        var who = access switch
        {
            null => "Refused to everyone (no access policy).",
            { AllowsAnonymous: true } => "Anonymous.",
            { Roles.Count: 0 } => "Any signed-in caller, acting on their own data.",
            _ => $"Callers with one of the roles: {string.Join(", ", access.Roles)}.",
        };
        return rateLimit is null ? who : $"{who} Rate limit: `{rateLimit}` (production defaults in `x-rate-limit-policies`).";
    }

    /// <summary>The feature folder the function lives in (Onboarding, Flags, Security, …): the operation's tag.</summary>
    private static string FeatureOf(FunctionDescriptor function)
    {
        var parts = (function.Method.DeclaringType?.Namespace ?? "").Split('.');
        return parts.Length > 2 ? parts[2] : "Platform";
    }

    private static string StatusText(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No content",
        400 => "Bad request",
        401 => "Unauthenticated",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        412 => "Precondition failed",
        413 => "Payload too large",
        415 => "Unsupported media type",
        428 => "Precondition required",
        429 => "Too many requests",
        500 => "Internal error",
        503 => "Service unavailable",
        _ => "Status " + status.ToString(CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)(?::[^}]*)?\??\}")]
    private static partial Regex RouteConstraint();

    [GeneratedRegex(@"\{\*?([A-Za-z0-9_]+)")]
    private static partial Regex RouteParameter();

    private static class Texts
    {
        public const string Info =
            "The onboarding guide, feature flags and their administration. Generated from the function catalog and the attributes next to each trigger " +
            "(access policy, rate limit, Api* contract attributes); do not edit by hand. Errors are RFC 9457 problem details (`application/problem+json`, " +
            "the types in `x-problem-types`, docs/api/problems.md). Every response carries `X-Correlation-ID` and the security headers " +
            "Strict-Transport-Security, Content-Security-Policy, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Permissions-Policy, " +
            "Cross-Origin-Opener-Policy and Cross-Origin-Resource-Policy. Rate-limited operations carry the RateLimit and RateLimit-Policy headers on every answer.";

        public const string IfMatch = "The ETag you read (strong comparison). A stale one answers 412 with the current representation and its ETag.";
        public const string IfNoneMatch = "An ETag you hold (weak comparison): 304 when it is still current.";
        public const string CreateOnly = "`*` to create only: 412 when the resource exists.";
        public const string Bearer = "An Entra ID access token (a development token from `huntaze token` when AZURE_FUNCTIONS_ENVIRONMENT is Development). Roles come from its `roles` claim.";
        public const string Cookie = "The browser session. State-changing requests with it also need the X-CSRF-Token header (GET /api/csrf) and an allowed Origin.";
    }
}
