using System.Text;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Huntaze.LocalHost.Configuration;
using Microsoft.OpenApi;

namespace Huntaze.UnitTests.Contract;

/// <summary>The OpenAPI document: valid, complete, and what docs/api/openapi.json holds.</summary>
public sealed class OpenApiDocumentTests
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.ForApp();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Document_ReadBackByMicrosoftOpenApi_HasNoErrorsOrWarnings()
    {
        var json = await ApiContract.RenderJsonAsync(Ct);

        var (document, diagnostic) = await ReadAsync(json);

        Assert.Empty(diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Empty(diagnostic.Warnings.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet())!.Select(e => $"{e.Pointer}: {e.Message}"));
    }

    [Fact]
    public async Task Document_EveryHttpFunction_IsAnOperationUnderItsRouteAndMethods()
    {
        var (document, _) = await ReadAsync(await ApiContract.RenderJsonAsync(Ct));
        var operations = document.Paths.SelectMany(p => p.Value.Operations!.Select(o => (Path: p.Key, Method: o.Key.Method, o.Value.OperationId))).ToList();

        var http = Catalog.Functions.Where(f => f.Trigger == TriggerKind.Http).ToList();
        Assert.NotEmpty(http);
        foreach (var function in http)
        {
            foreach (var method in function.HttpMethods)
            {
                Assert.Contains(operations, o => o.OperationId == function.Name && o.Method == method && o.Path == "/" + function.Route);
            }
        }

        Assert.Equal(http.Sum(f => f.HttpMethods.Count), operations.Count);
    }

    [Fact]
    public void SchemaFor_SixtyFourBitMembers_CarryFormatInt64()
    {
        var schemas = new ApiSchemas();
        _ = schemas.SchemaFor(typeof(Huntaze.Functions.Backups.BackupFileView));

        var properties = schemas.Components[nameof(Huntaze.Functions.Backups.BackupFileView)]["properties"]!;

        Assert.Equal("int64", (string?)properties["rows"]!["format"]);
        Assert.Equal("int64", (string?)properties["bytes"]!["format"]);
        Assert.Equal("int64", (string?)schemas.SchemaFor(typeof(long?))["format"]);
        Assert.Null(schemas.SchemaFor(typeof(int))["format"]);
    }

    [Fact]
    public async Task CommittedCopy_EqualsTheGeneratedDocument()
    {
        var path = Path.Combine(RepositoryPaths.FindRoot()!, "docs", "api", "openapi.json");
        var generated = await ApiContract.RenderJsonAsync(Ct);

        var committed = File.Exists(path) ? await File.ReadAllTextAsync(path, Ct) : "";

        Assert.True(committed == generated,
            "docs/api/openapi.json is stale: regenerate it with `bash scripts/contract/regenerate.sh` (docs/api/README.md) and commit it.");
    }

    [Fact]
    public async Task Operations_TheirAccessPolicy_IsTheirSecurityRequirement()
    {
        var (document, _) = await ReadAsync(await ApiContract.RenderJsonAsync(Ct));

        foreach (var function in Catalog.Functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            var operation = Operation(document, function);
            var access = function.GetAttribute<AccessPolicyAttribute>()!;
            if (access.AllowsAnonymous)
            {
                Assert.True(operation.Security is null or { Count: 0 }, $"{function.Name} is anonymous but documents a security requirement.");
                Assert.False(operation.Responses!.ContainsKey("401"), function.Name);
                continue;
            }

            var schemes = operation.Security!.SelectMany(r => r.Select(kv => (Scheme: kv.Key.Reference.Id, Roles: kv.Value))).ToList();
            Assert.Contains(schemes, s => s.Scheme == OpenApiDocumentBuilder.BearerScheme);
            var documentedRoles = schemes.SelectMany(s => s.Roles).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(access.Roles.Order(StringComparer.Ordinal), documentedRoles);
            Assert.True(operation.Responses!.ContainsKey("401") && operation.Responses.ContainsKey("403"), function.Name);
        }
    }

    [Fact]
    public async Task Operations_RateLimited_Document429WithRetryAfterAndRateLimitHeaders()
    {
        var (document, _) = await ReadAsync(await ApiContract.RenderJsonAsync(Ct));

        foreach (var function in Catalog.Functions.Where(f => f.Trigger == TriggerKind.Http && f.GetAttribute<RateLimitAttribute>() is not null))
        {
            var responses = Operation(document, function).Responses!;
            Assert.True(responses.TryGetValue("429", out var tooMany), $"{function.Name} has no 429.");
            Assert.Superset(new HashSet<string> { "Retry-After", "RateLimit", "RateLimit-Policy", Correlation.Header }, tooMany.Headers!.Keys.ToHashSet());
            var success = responses.First(r => r.Key.StartsWith('2')).Value;
            Assert.Contains("RateLimit", success.Headers!.Keys);
        }
    }

    [Fact]
    public async Task Operations_ConditionalHeaders_AreParametersWithTheirResponses()
    {
        var (document, _) = await ReadAsync(await ApiContract.RenderJsonAsync(Ct));

        foreach (var function in Catalog.Functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            var conditions = function.Method.GetCustomAttributes(typeof(ApiConditionalAttribute), false).Cast<ApiConditionalAttribute>().SingleOrDefault()?.Conditions ?? ApiConditions.None;
            var operation = Operation(document, function);
            var headers = (operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Header).Select(p => p.Name).ToList();
            Assert.Equal(conditions.HasFlag(ApiConditions.IfMatch), headers.Contains("If-Match"));
            Assert.Equal(conditions.HasFlag(ApiConditions.IfMatch), operation.Responses!.ContainsKey("412"));
            Assert.Equal(conditions.HasFlag(ApiConditions.IfNoneMatch), operation.Responses.ContainsKey("304"));
            if (conditions.HasFlag(ApiConditions.IfMatch) || conditions.HasFlag(ApiConditions.IfNoneMatch))
            {
                Assert.Contains("ETag", operation.Responses.First(r => r.Key.StartsWith('2')).Value.Headers!.Keys);
            }
        }
    }

    [Fact]
    public async Task Document_EveryProblemType_IsListedAndErrorsAreProblemJson()
    {
        var json = await ApiContract.RenderJsonAsync(Ct);
        var (document, _) = await ReadAsync(json);

        foreach (var type in OpenApiDocumentBuilder.AllProblemTypes())
        {
            Assert.Contains($"\"{type.Uri}\"", json, StringComparison.Ordinal);
        }

        var errors = document.Paths.SelectMany(p => p.Value.Operations!.Values).SelectMany(o => o.Responses!).Where(r => r.Key[0] is '4' or '5').ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, r => Assert.Equal([ProblemWriter.ContentType], r.Value.Content!.Keys));
    }

    private static OpenApiOperation Operation(OpenApiDocument document, FunctionDescriptor function) =>
        document.Paths["/" + function.Route].Operations![new HttpMethod(function.HttpMethods[0])];

    private static async Task<(OpenApiDocument Document, Microsoft.OpenApi.Reader.OpenApiDiagnostic Diagnostic)> ReadAsync(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var result = await OpenApiDocument.LoadAsync(stream, "json", cancellationToken: Ct);
        return (result.Document!, result.Diagnostic!);
    }
}
