using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Authentication;
using Huntaze.Functions.Security.Authorization;
using Huntaze.Functions.Security.Csrf;
using Microsoft.AspNetCore.Http;

namespace Huntaze.UnitTests.Security;

public sealed class PipelineStepTests
{
    private static readonly CsrfTokens Tokens = new(new byte[32]);

    [Fact]
    public void ReadCredential_BearerAndCookie_BearerWins()
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = "Bearer header-token";
        http.Request.Headers.Cookie = AuthenticationStep.SessionCookieName + "=cookie-token";

        var (token, kind) = AuthenticationStep.ReadCredential(http.Request);

        Assert.Equal("header-token", token);
        Assert.Equal(CredentialKind.Bearer, kind);
    }

    [Fact]
    public void ReadCredential_OtherAuthorizationScheme_NoTokenEvenWithCookie()
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = "Basic dTpw";
        http.Request.Headers.Cookie = AuthenticationStep.SessionCookieName + "=cookie-token";

        var (token, _) = AuthenticationStep.ReadCredential(http.Request);

        Assert.Null(token);
    }

    [Fact]
    public async Task Authorization_InvalidCredentialOnProtectedFunction_401InvalidTokenChallenge()
    {
        var http = new DefaultHttpContext();
        new AuthenticationOutcome(true, "SecurityTokenExpiredException", null).Set(http);

        var problem = await Assert.ThrowsAsync<ProblemException>(() => new AuthorizationStep().InvokeAsync(Invocation(http, nameof(Protected)), () => Task.CompletedTask));

        Assert.Equal(401, problem.Type.Status);
        Assert.Equal("Bearer error=\"invalid_token\"", problem.Headers["WWW-Authenticate"]);
    }

    [Fact]
    public async Task Csrf_CookiePostWithAllowedRefererAndToken_Continues()
    {
        var http = CookiePost("session-1");
        http.Request.Headers.Referer = "https://app.example/onboarding?step=2";
        http.Request.Headers[CsrfTokens.HeaderName] = Tokens.Issue("session-1");
        var continued = false;

        await Step().InvokeAsync(Invocation(http, nameof(Protected)), () => { continued = true; return Task.CompletedTask; });

        Assert.True(continued);
    }

    [Fact]
    public async Task Csrf_CookiePostWithoutOriginOrReferer_Rejected()
    {
        var http = CookiePost("session-1");
        http.Request.Headers[CsrfTokens.HeaderName] = Tokens.Issue("session-1");

        var problem = await Assert.ThrowsAsync<ProblemException>(() => Step().InvokeAsync(Invocation(http, nameof(Protected)), () => Task.CompletedTask));

        Assert.Equal(ProblemTypes.CsrfRejected, problem.Type);
    }

    [Fact]
    public async Task Csrf_CookieGet_Exempt()
    {
        var http = CookiePost("session-1");
        http.Request.Method = "GET";
        var continued = false;

        await Step().InvokeAsync(Invocation(http, nameof(Protected)), () => { continued = true; return Task.CompletedTask; });

        Assert.True(continued);
    }

    [RequireUser]
    internal static void Protected()
    {
    }

    private static CsrfStep Step()
    {
        var options = new SecurityOptions { CsrfSigningKey = Convert.ToBase64String(new byte[32]) };
        options.AllowedOrigins.Add("https://app.example");
        var keys = new CsrfKeyProvider(
            Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Options.Options.Create(new AuthOptions()),
            new SecurityEnvironment("Production"),
            storage: null!); // a configured key never touches storage
        return new CsrfStep(keys, new CsrfBindings([]), Microsoft.Extensions.Options.Options.Create(options));
    }

    private static DefaultHttpContext CookiePost(string session)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.SetCaller(new Caller("u1", new HashSet<string> { Roles.User }, "FR", CredentialKind.Cookie));
        new AuthenticationOutcome(true, null, session).Set(http);
        return http;
    }

    private static HttpInvocation Invocation(HttpContext http, string method)
    {
        var info = typeof(PipelineStepTests).GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return new HttpInvocation(http, new FunctionDescriptor(method, info, TriggerKind.Http, null!, "test", ["POST"], null, false));
    }
}
