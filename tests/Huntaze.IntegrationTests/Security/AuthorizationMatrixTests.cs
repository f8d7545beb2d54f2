using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Csrf;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Security;

/// <summary>
/// Every HTTP function the host serves × {anonymous, user, admin, dpo, support, alert sender}: the answer is 401, 403
/// or neither exactly as the function's declared access policy says.
/// </summary>
public sealed partial class AuthorizationMatrixTests(HostFixture fixture)
{
    private static readonly string?[] Callers = [null, Roles.User, Roles.Admin, Roles.Dpo, Roles.Support, Roles.AlertSender];

    [Fact]
    public void EveryHttpFunction_DeclaresAnAccessPolicy()
    {
        var catalog = fixture.Services.GetRequiredService<FunctionCatalog>();

        var missing = catalog.Functions.Where(f => f.Trigger == TriggerKind.Http && f.GetAttribute<AccessPolicyAttribute>() is null).Select(f => f.Name).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void AppCatalog_DeclaresAnAccessPolicyOnEveryHttpFunction()
    {
        var missing = FunctionCatalog.ForApp().Functions.Where(f => f.Trigger == TriggerKind.Http && f.GetAttribute<AccessPolicyAttribute>() is null).Select(f => f.Name).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void EveryRateLimitAttribute_NamesAConfiguredPolicy()
    {
        var catalog = fixture.Services.GetRequiredService<FunctionCatalog>();
        var policies = fixture.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Huntaze.Functions.Security.RateLimiting.RateLimitOptions>>().Value.Policies;

        var unknown = catalog.Functions
            .Select(f => (f.Name, Policy: f.GetAttribute<RateLimitAttribute>()?.Policy))
            .Where(f => f.Policy is not null && !policies.ContainsKey(f.Policy))
            .Select(f => $"{f.Name}: {f.Policy}")
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public async Task EveryHttpFunction_EveryCaller_AnswersPerDeclaredPolicy()
    {
        var catalog = fixture.Services.GetRequiredService<FunctionCatalog>();
        var failures = new List<string>();
        foreach (var function in catalog.Functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            var policy = function.GetAttribute<AccessPolicyAttribute>();
            foreach (var role in Callers)
            {
                using var client = role is null ? fixture.CreateClient() : fixture.CreateClient(HostFixture.NewUserId("matrix"), "FR", role);
                using var request = new HttpRequestMessage(new HttpMethod(function.HttpMethods[0]), "/api/" + SampleRoute(function.Route!));
                if (function.HttpMethods[0] is not ("GET" or "HEAD" or "DELETE"))
                {
                    request.Content = JsonContent.Create(new { });
                }

                if (role is null && function.GetAttribute<AnonymousCookieSessionAttribute>() is not null)
                {
                    // Anonymous cookie sessions (consent) get the CSRF rules: pass them, so a 403 here is authorization's.
                    request.Headers.TryAddWithoutValidation("Origin", HostFixture.AllowedOrigin);
                    request.Headers.TryAddWithoutValidation("X-CSRF-Token", await CsrfTokenAsync(client));
                }

                using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                var expected = Expected(policy, role);
                var actual = (int)response.StatusCode;
                var ok = expected switch
                {
                    401 => actual == 401,
                    403 => actual == 403,
                    _ => actual is not (401 or 403),
                };
                if (!ok)
                {
                    failures.Add($"{function.Name} as {role ?? "anonymous"}: expected {(expected == 0 ? "not 401/403" : expected)}, got {actual}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static async Task<string> CsrfTokenAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/csrf", TestContext.Current.CancellationToken);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("token").GetString()!;
    }

    private static int Expected(AccessPolicyAttribute? policy, string? role) => policy switch
    {
        null => role is null ? 401 : 403,
        { AllowsAnonymous: true } => 0,
        _ when role is null => 401,
        { Roles.Count: 0 } => 0,
        _ => policy.Roles.Contains(role) ? 0 : 403,
    };

    /// <summary>Route parameters get sample values: 1 for int constraints, a fixed word otherwise.</summary>
    private static string SampleRoute(string route) =>
        RouteParameter().Replace(route, m => m.Groups["constraint"].Value.StartsWith("int", StringComparison.Ordinal) || m.Groups["constraint"].Value.StartsWith("long", StringComparison.Ordinal) ? "1" : "sample");

    [GeneratedRegex(@"\{(?<name>[^}:?*]+)\??(:(?<constraint>[^}]+))?\}")]
    private static partial Regex RouteParameter();
}
