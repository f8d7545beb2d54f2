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

        var kind = AuthenticationStep.ReadCredential(http.Request, out var token);

        Assert.Equal("header-token", token.ToString());
        Assert.Equal(CredentialKind.Bearer, kind);
    }

    [Fact]
    public void ReadCredential_OtherAuthorizationScheme_NoTokenEvenWithCookie()
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Authorization = "Basic dTpw";
        http.Request.Headers.Cookie = AuthenticationStep.SessionCookieName + "=cookie-token";

        AuthenticationStep.ReadCredential(http.Request, out var token);

        Assert.True(token.IsEmpty);
    }

    [Fact]
    public async Task Authentication_SameTokenAsBearerThenCookie_EachRequestACallerOfItsKind()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new AuthOptions { Issuer = "https://dev.huntaze.local", Audience = "api://huntaze-onboarding", DevelopmentSigningKey = Convert.ToBase64String(new byte[32]) };
        var validator = new TokenValidator(options, developmentKeyAllowed: true, metadata: null, time);
        var step = new AuthenticationStep(validator, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuthenticationStep>.Instance);
        var token = Huntaze.Cli.Tokens.DevTokenFactory.Create(
            new Huntaze.Cli.Tokens.DevTokenRequest("u1", [Roles.User], "FR", options.Issuer, options.Audience, options.DevelopmentSigningKey, TimeSpan.FromHours(1)), time.GetUtcNow());
        var callers = new List<Caller?>();

        foreach (var http in new[] { Bearer(token), Bearer(token), Cookie(token) })
        {
            await step.InvokeAsync(Invocation(http, nameof(Protected)), () => { callers.Add(http.GetCaller()); return Task.CompletedTask; });
        }

        Assert.Equal([CredentialKind.Bearer, CredentialKind.Bearer, CredentialKind.Cookie], callers.Select(c => c!.Credential));
        Assert.All(callers, c => Assert.Equal("u1", c!.UserId));
        Assert.Same(callers[0], callers[1]); // a bearer caller is the validation's own, not a copy per request
        Assert.True(validator.TryGetValidated(token, out _));

        static DefaultHttpContext Bearer(string token)
        {
            var http = new DefaultHttpContext();
            http.Request.Headers.Authorization = "Bearer " + token;
            return http;
        }

        static DefaultHttpContext Cookie(string token)
        {
            var http = new DefaultHttpContext();
            http.Request.Headers.Cookie = AuthenticationStep.SessionCookieName + "=" + token;
            return http;
        }
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
