using System.Text;
using System.Text.Json.Nodes;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.OpenApi;

namespace Huntaze.IntegrationTests.Contract.Fuzz;

/// <summary>
/// Builds requests from the OpenAPI document: a valid request for an operation (path values, body from its schema,
/// a token with a role it accepts, its conditional headers), then up to three mutations. Everything comes from one
/// seeded <see cref="Random"/>, so a seed and an index name a request exactly. The first requests visit every
/// method on every route (declared or not) once; the rest are drawn at random.
/// </summary>
public sealed class FuzzRequestGenerator
{
    public static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    private static readonly Mutation[] AppMutations = [.. Enum.GetValues<Mutation>().Where(m => m < Mutation.NonAsciiHeaderBytes)];
    private static readonly Mutation[] TransportMutations = [Mutation.NonAsciiHeaderBytes, Mutation.OversizedHeaders, Mutation.OversizedUrl];

    private static readonly Dictionary<string, string[]> GoodValues = new(StringComparer.OrdinalIgnoreCase)
    {
        ["stepId"] = ["creator_assessment", "goal_selection", "connect_platforms", "setup_payouts", "invite_team", "no_such_step"],
        ["gate"] = ["publish_offers", "enable_autopilot", "no_such_gate"],
        // Never the Onboarding flag: switching the product off would turn the rest of the run into 503s by design.
        ["name"] = ["fuzz-flag", "fuzz-other", "no-such-flag"],
        ["userId"] = ["fuzz-user-1", "fuzz-user-2", "nobody"],
        ["id"] = ["onboarding-migration-00000000000000000000000000000000", "nothing"],
    };

    private static readonly string[] Roles = ["user", "admin", "support", "dpo"];

    private readonly List<(string Path, string Method, OpenApiOperation? Operation)> _routes;
    private readonly List<(string Path, string Method)> _coverage;
    private readonly Random _random;
    private readonly Dictionary<string, string> _tokens;
    private readonly string[] _roles;

    public FuzzRequestGenerator(OpenApiDocument document, int seed)
    {
        ArgumentNullException.ThrowIfNull(document);
        _random = new Random(seed);
        _routes = [.. document.Paths.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => Methods.Select(m =>
            (p.Key, m, p.Value.Operations!.TryGetValue(new HttpMethod(m), out var op) ? op : null)))];
        _coverage = [.. _routes.Select(r => (r.Path, r.Method))];
        // Fixed users so a replay sends the same subjects; tokens live 12 h so a long run does not outlive them.
        // Every role the document names (e.g. the alert relay's), besides the product's.
        _roles = [.. Roles.Union(_routes.SelectMany(r => r.Operation?.Security ?? []).SelectMany(s => s.Values.SelectMany(v => v)).Order(StringComparer.Ordinal))];
        _tokens = _roles.ToDictionary(r => r, r => HostFixture.CreateToken($"fuzz-{r}-{seed}", "FR", [r], TimeSpan.FromHours(12)));
    }

    public FuzzRequest Next(int index)
    {
        var (path, method, operation) = index < _coverage.Count
            ? _routes[index]
            : PickRoute();
        var declared = operation is not null;
        var mutations = new List<Mutation>();
        if (!declared)
        {
            mutations.Add(Mutation.OtherMethod);
            operation = _routes.First(r => r.Path == path && r.Operation is not null).Operation;
        }

        // Mostly app-level mutations (0 to 3); one request in twenty is one Kestrel rejects outright.
        if (index >= _coverage.Count)
        {
            if (_random.Next(20) == 0)
            {
                mutations.Add(TransportMutations[_random.Next(TransportMutations.Length)]);
            }
            else
            {
                var count = _random.Next(4);
                for (var i = 0; i < count; i++)
                {
                    var mutation = AppMutations[_random.Next(AppMutations.Length)];
                    if (mutation != Mutation.OtherMethod && !mutations.Contains(mutation))
                    {
                        mutations.Add(mutation);
                    }
                }
            }
        }

        var headers = new List<KeyValuePair<string, string>>();
        var values = RouteValues(path, mutations);
        var url = "/api" + values;
        Credential(operation!, headers, mutations.Contains(Mutation.WrongCredential));
        Conditional(operation!, headers, mutations.Contains(Mutation.BadETag));
        var (body, contentType) = Body(operation!, method, mutations);
        if (mutations.Contains(Mutation.OddHeaders))
        {
            OddHeaders(headers, ref contentType);
        }

        if (mutations.Contains(Mutation.NonAsciiHeaderBytes))
        {
            headers.Add(new("X-Fuzz", "caf\u00e9-\u00ff\u00fe"));
        }

        if (mutations.Contains(Mutation.OversizedHeaders))
        {
            headers.Add(new("X-Fuzz-Large", new string('h', 40 * 1024)));
        }

        if (mutations.Contains(Mutation.OversizedUrl))
        {
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "pad=" + new string('u', 10 * 1024);
        }

        return new FuzzRequest(index, operation!.OperationId ?? path, method, url, headers, body, contentType, mutations);
    }

    private (string Path, string Method, OpenApiOperation? Operation) PickRoute()
    {
        // Nine in ten on a declared method, so most requests get past routing into the functions.
        var declared = _routes.Where(r => r.Operation is not null).ToList();
        return _random.Next(10) == 0 ? _routes[_random.Next(_routes.Count)] : declared[_random.Next(declared.Count)];
    }

    private string RouteValues(string template, List<Mutation> mutations)
    {
        var path = new StringBuilder();
        foreach (var segment in template.Split('/'))
        {
            if (path.Length > 0 || segment.Length > 0)
            {
                path.Append('/');
            }

            if (!segment.StartsWith('{'))
            {
                path.Append(segment);
                continue;
            }

            var name = segment.Trim('{', '}');
            var value = GoodValues.TryGetValue(name, out var good) ? good[_random.Next(good.Length)] : "x" + _random.Next(1000);
            if (mutations.Contains(Mutation.PathTraversal))
            {
                value = Pick("..%2F..%2Fadmin%2Fkill-switch", "%2e%2e%2f%2e%2e%2fhealth", "..\\..\\etc\\passwd", "step%00id", "a%2Fb", "%252e%252e%252f");
                path.Append(value);
                continue;
            }

            if (mutations.Contains(Mutation.UnicodeId))
            {
                value = Pick("ステップ", "\u202eevil", "\U0001F600", "e\u0301", "\uFEFFstep", "\u0000", new string('z', 2000));
            }

            path.Append(Uri.EscapeDataString(value));
        }

        return path.ToString();
    }

    private void Credential(OpenApiOperation operation, List<KeyValuePair<string, string>> headers, bool wrong)
    {
        if (wrong)
        {
            headers.Add(new("Authorization", Pick("Bearer not.a.jwt", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + new string('a', 5000), "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")));
            return;
        }

        if (operation.Security is not { Count: > 0 } requirements)
        {
            // Anonymous operation: sometimes signed in anyway.
            if (_random.Next(3) == 0)
            {
                headers.Add(new("Authorization", "Bearer " + _tokens["user"]));
            }

            return;
        }

        var accepted = requirements.SelectMany(r => r.Values.SelectMany(v => v)).Distinct().ToList();
        var role = _random.Next(5) == 0 ? null
            : accepted.Count > 0 && _random.Next(4) != 0 ? accepted[_random.Next(accepted.Count)]
            : _roles[_random.Next(_roles.Length)];
        if (role is not null)
        {
            headers.Add(new("Authorization", "Bearer " + _tokens[role]));
        }
    }

    private void Conditional(OpenApiOperation operation, List<KeyValuePair<string, string>> headers, bool bad)
    {
        var names = (operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Header && p.Name is "If-Match" or "If-None-Match").Select(p => p.Name!).ToList();
        if (bad)
        {
            names.Add(_random.Next(2) == 0 ? "If-Match" : "If-None-Match");
        }

        foreach (var name in names.Distinct())
        {
            var value = bad
                ? Pick("W/\"1\"", "*", "\"unterminated", "a,b,c", "\"" + new string('e', 300) + "\"", "\"x\", W/\"y\"", "", "null", "\"\\u0000\"")
                : Pick("\"step-0\"", "\"step-1\"", "\"state-0\"", "\"x\"");
            headers.Add(new(name, value));
        }

        if (operation.Parameters?.Any(p => p.Name == "Idempotency-Key") == true && _random.Next(2) == 0)
        {
            headers.Add(new("Idempotency-Key", "fuzz-" + _random.Next(100)));
        }
    }

    private (byte[]? Body, string? ContentType) Body(OpenApiOperation operation, string method, List<Mutation> mutations)
    {
        var schema = operation.RequestBody?.Content?.Values.FirstOrDefault()?.Schema;
        if (schema is null && !mutations.Contains(Mutation.BadBody))
        {
            return (null, null);
        }

        var node = schema is null ? new JsonObject { ["unexpected"] = true } : Instance(schema, 0);
        if (node is JsonObject obj)
        {
            MutateObject(obj, schema, mutations);
            if (schema?.Properties?.ContainsKey("dryRun") == true && obj["dryRun"] is null || obj["dryRun"] is JsonValue { } dry && dry.GetValueKind() is System.Text.Json.JsonValueKind.False)
            {
                // A migration the fuzzer starts only counts: a real one would rewrite progress in the background
                // while the stored-data checksum is compared (a wrong type there is still sent, and refused).
                obj["dryRun"] = true;
            }

            if (obj["active"] is JsonValue { } active && active.GetValueKind() is System.Text.Json.JsonValueKind.True)
            {
                // A wrong type may be `true`: the kill switch on would answer the rest of the run 503 by design.
                obj["active"] = false;
            }
        }

        var text = node?.ToJsonString() ?? "null";
        if (mutations.Contains(Mutation.DeepNesting))
        {
            var depth = Pick(40, 100, 5000);
            text = text.TrimEnd('}') + (text == "{}" ? "" : ",") + "\"data\":" + new string('[', depth) + new string(']', depth) + "}";
        }

        if (mutations.Contains(Mutation.DuplicateKeys) && text.StartsWith('{') && text.Length > 2)
        {
            var first = text[1..].Split(':')[0];
            text = "{" + first + ":1," + text[1..];
        }

        if (mutations.Contains(Mutation.BadBody))
        {
            text = Pick("", "null", "[]", "\"text\"", "{", "{\"a\":}", "{}", "1e400", "{\"status\":\"completed\"", "\u00ef\u00bb\u00bf{}");
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        if (mutations.Contains(Mutation.InvalidUtf8))
        {
            var at = bytes.AsSpan().IndexOf((byte)'"');
            var invalid = new byte[] { 0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80 };
            bytes = at < 0 ? [.. bytes, .. invalid] : [.. bytes[..(at + 1)], .. invalid, .. bytes[(at + 1)..]];
        }

        return (bytes, "application/json");
    }

    private void MutateObject(JsonObject obj, IOpenApiSchema? schema, List<Mutation> mutations)
    {
        var keys = obj.Select(kv => kv.Key).ToList();
        if (mutations.Contains(Mutation.WrongType) && keys.Count > 0)
        {
            obj[keys[_random.Next(keys.Count)]] = Pick<JsonNode?>(JsonValue.Create("text"), JsonValue.Create(12), new JsonArray(1, 2), new JsonObject { ["x"] = 1 }, JsonValue.Create(true), null);
        }

        if (mutations.Contains(Mutation.MissingField) && keys.Count > 0)
        {
            obj.Remove(schema?.Required?.FirstOrDefault() ?? keys[_random.Next(keys.Count)]);
        }

        if (mutations.Contains(Mutation.ExtraField))
        {
            obj["unexpected" + _random.Next(10)] = "surplus";
        }

        if (mutations.Contains(Mutation.HugeString))
        {
            obj[keys.Count > 0 ? keys[_random.Next(keys.Count)] : "reason"] = new string('s', Pick(5_000, 70_000, 300_000));
        }

        if (mutations.Contains(Mutation.HugeNumber))
        {
            obj[keys.Count > 0 ? keys[_random.Next(keys.Count)] : "days"] = JsonNode.Parse(Pick("1e309", "-1e309", "99999999999999999999999999", "-2147483649", "1.5", "-0", "0.0000000000001"));
        }
    }

    /// <summary>A small valid instance of a schema (what a careful client would send).</summary>
    private JsonNode? Instance(IOpenApiSchema schema, int depth)
    {
        if (schema.Enum is { Count: > 0 } values)
        {
            return values[_random.Next(values.Count)]?.DeepClone();
        }

        var type = schema.Type ?? (schema.Properties is { Count: > 0 } ? JsonSchemaType.Object : null);
        if (type is null)
        {
            // Any JSON: a small object (e.g. a step's data, a flag document).
            return new JsonObject { ["note"] = "fuzz", ["n"] = _random.Next(10) };
        }

        if (type.Value.HasFlag(JsonSchemaType.Object))
        {
            var obj = new JsonObject();
            foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                if ((schema.Required?.Contains(name) ?? false) || _random.Next(2) == 0)
                {
                    obj[name] = depth > 4 ? null : Instance(property, depth + 1);
                }
            }

            if (obj.ContainsKey("active"))
            {
                // A valid kill-switch request never turns the product off during the run (see GoodValues).
                obj["active"] = false;
            }

            return obj;
        }

        if (type.Value.HasFlag(JsonSchemaType.Array))
        {
            return new JsonArray([.. Enumerable.Range(0, _random.Next(3)).Select(_ => schema.Items is null ? null : Instance(schema.Items, depth + 1))]);
        }

        if (type.Value.HasFlag(JsonSchemaType.Integer))
        {
            return _random.Next(1, 8);
        }

        if (type.Value.HasFlag(JsonSchemaType.Number))
        {
            return _random.NextDouble();
        }

        if (type.Value.HasFlag(JsonSchemaType.Boolean))
        {
            return _random.Next(2) == 0;
        }

        return type.Value.HasFlag(JsonSchemaType.String) ? Pick("creator_assessment", "fuzz", "internal", "2026-01-01T00:00:00Z") : null;
    }

    private void OddHeaders(List<KeyValuePair<string, string>> headers, ref string? contentType)
    {
        switch (_random.Next(8))
        {
            case 0:
                contentType = Pick("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/", ";;;", "application/json-patch+json");
                break;
            case 1:
                headers.Add(new("X-Correlation-ID", Pick("", "has space", new string('c', 500), "<script>", "../../")));
                break;
            case 2:
                headers.Add(new("Accept", Pick("text/html", "application/xml", "*/*;q=abc", "")));
                break;
            case 3:
                headers.Add(new("Origin", Pick("https://evil.example", "null", "http://localhost:5173")));
                headers.Add(new("Cookie", "__Host-huntaze-session=" + Pick("garbage", new string('k', 3000), "")));
                break;
            case 4:
                headers.Add(new("Idempotency-Key", Pick("", "has space", new string('i', 200), "ok-key")));
                break;
            case 5:
                headers.Add(new("X-Forwarded-For", Pick("1.2.3.4, 5.6.7.8", "not-an-ip", "::1:99999")));
                break;
            case 6:
                headers.Add(new("Content-Encoding", Pick("gzip", "br", "identity")));
                break;
            default:
                headers.Add(new("Range", "bytes=0-10"));
                headers.Add(new("Expect", "100-continue"));
                break;
        }
    }

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];
}
