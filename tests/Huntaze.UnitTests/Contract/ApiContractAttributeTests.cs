using System.Reflection;
using System.Text.Json;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.OpenApi;

namespace Huntaze.UnitTests.Contract;

/// <summary>
/// Guard rail: every HTTP function declares, next to its trigger, what the OpenAPI document cannot learn by
/// reflection (its success bodies, and for writes the body it reads or that it reads none).
/// </summary>
public sealed class ApiContractAttributeTests
{
    public static TheoryData<string> HttpFunctions() =>
        [.. FunctionCatalog.ForApp().Functions.Where(f => f.Trigger == TriggerKind.Http).Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void HttpFunction_DeclaresItsSuccessResponses(string name)
    {
        var function = Function(name);

        var successes = function.Method.GetCustomAttributes<ApiResponseAttribute>().Where(r => r.Status < 400).ToList();

        Assert.True(successes.Count > 0, $"{name}: add [ApiResponse(200, typeof(TheRecordItReturns))] next to its trigger.");
        foreach (var success in successes.Where(s => s.Status != 204 && s.Status != 304))
        {
            if (success.MediaType is not null)
            {
                Assert.True(success.Type is null, $"{name}: [ApiResponse({success.Status})] names a media type (a download) or a body type, not both.");
                continue;
            }

            Assert.True(success.Type is not null, $"{name}: [ApiResponse({success.Status})] must name the body type.");
            Assert.True(success.Type == typeof(JsonElement) || ApiSchemas.IsComponent(success.Type!),
                $"{name}: {success.Type!.Name} is not one of the app's records (anonymous types and framework types say nothing to a client).");
        }

        Assert.All(function.Method.GetCustomAttributes<ApiResponseAttribute>().Where(r => r.Status >= 400), r =>
            Assert.True(r.Type is null, $"{name}: error responses are problem details; [ApiResponse({r.Status})] names no type."));
    }

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void HttpFunction_WithABodyMethod_DeclaresItsBodyOrNone(string name)
    {
        var function = Function(name);
        var body = function.Method.GetCustomAttribute<ApiBodyAttribute>();
        var none = function.Method.GetCustomAttribute<NoApiBodyAttribute>();
        var writes = function.HttpMethods.Any(m => m is "POST" or "PUT" or "PATCH");

        if (writes)
        {
            Assert.True((body is null) != (none is null), $"{name}: declare [ApiBody(typeof(TheRequestRecord))] or [NoApiBody] next to its trigger.");
        }
        else
        {
            Assert.True(body is null && none is null, $"{name}: {string.Join(",", function.HttpMethods)} carries no body; remove [ApiBody]/[NoApiBody].");
        }
    }

    private static FunctionDescriptor Function(string name) =>
        FunctionCatalog.ForApp().TryGet(name, out var function) ? function : throw new InvalidOperationException(name);
}
