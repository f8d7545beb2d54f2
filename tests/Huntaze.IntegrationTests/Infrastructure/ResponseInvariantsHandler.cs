using Huntaze.Functions.Platform.Http;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>
/// Checks, once and centrally, that every response any test sees carries the security headers and a
/// correlation id; a response without them fails the test that received it.
/// </summary>
public sealed class ResponseInvariantsHandler : DelegatingHandler
{
    public static readonly IReadOnlyDictionary<string, string> RequiredHeaders = new Dictionary<string, string>
    {
        ["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains",
        ["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ["X-Content-Type-Options"] = "nosniff",
        ["X-Frame-Options"] = "DENY",
        ["Referrer-Policy"] = "no-referrer",
        ["Cross-Origin-Opener-Policy"] = "same-origin",
        ["Cross-Origin-Resource-Policy"] = "same-site",
    };

    public static int ResponsesChecked => _checked;

    private static int _checked;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Violations(response).FirstOrDefault() is { } violation)
        {
            throw new Xunit.Sdk.XunitException($"{request.Method} {request.RequestUri} → {(int)response.StatusCode}: {violation}.");
        }

        Interlocked.Increment(ref _checked);
        return response;
    }

    /// <summary>What a response lacks of the headers every response must carry (empty when it has them all).</summary>
    public static IEnumerable<string> Violations(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        foreach (var (name, required) in RequiredHeaders)
        {
            // The one document the API serves (the consent demo) has its own policy: scripts and styles from itself.
            var expected = name == "Content-Security-Policy" && response.RequestMessage?.RequestUri?.AbsolutePath == "/api/consent/demo" && response.IsSuccessStatusCode
                ? Huntaze.Functions.Privacy.Consent.ConsentAssetFunctions.DemoContentSecurityPolicy
                : required;
            var actual = response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
            if (actual != expected)
            {
                yield return $"header {name} is '{actual}', expected '{expected}'";
            }
        }

        if (!response.Headers.TryGetValues(Correlation.Header, out var ids) || ids.Count() != 1 || !Correlation.IsValid(ids.First()))
        {
            yield return $"no valid {Correlation.Header}";
        }

        if (response.Headers.Contains("Server") || response.Headers.Contains("X-Powered-By"))
        {
            yield return "the response names its server";
        }
    }
}
