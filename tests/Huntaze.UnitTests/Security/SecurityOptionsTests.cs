using System.Net;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Authentication;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moq;

namespace Huntaze.UnitTests.Security;

public sealed class SecurityOptionsTests
{
    private static readonly string Key = Convert.ToBase64String(new byte[32]);

    [Fact]
    public void AuthOptions_DevelopmentKeyInProductionWithoutAuthority_Invalid()
    {
        var options = new AuthOptions { Issuer = "i", Audience = "a", DevelopmentSigningKey = Key };

        var result = Validate(options, "Production");

        Assert.True(result.Failed);
        Assert.Contains("Auth:Authority", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthOptions_DevelopmentKeyInDevelopment_Valid()
    {
        var options = new AuthOptions { Issuer = "i", Audience = "a", DevelopmentSigningKey = Key };

        var result = Validate(options, "Development");

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void AuthOptions_ShortDevelopmentKey_Invalid()
    {
        var options = new AuthOptions { Issuer = "i", Audience = "a", DevelopmentSigningKey = Convert.ToBase64String(new byte[16]) };

        Assert.True(Validate(options, "Development").Failed);
    }

    [Fact]
    public void AuthOptions_SkewAbove30Seconds_Invalid()
    {
        var options = new AuthOptions { Audience = "a", Authority = "https://login.example/t/v2.0", ClockSkewSeconds = 60 };

        Assert.True(Validate(options, "Production").Failed);
    }

    [Fact]
    public void AuthOptions_HttpAuthority_Invalid()
    {
        var options = new AuthOptions { Audience = "a", Authority = "http://login.example/t/v2.0" };

        Assert.True(Validate(options, "Production").Failed);
    }

    [Fact]
    public void SecurityEnvironment_FunctionsVariableWinsOverHost()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production" }).Build();
        var host = Mock.Of<IHostEnvironment>(h => h.EnvironmentName == "Development");

        Assert.False(SecurityEnvironment.Resolve(configuration, host).IsDevelopment);
    }

    [Fact]
    public void SecurityEnvironment_NothingSet_IsProduction()
    {
        var environment = SecurityEnvironment.Resolve(new ConfigurationBuilder().Build(), host: null);

        Assert.Equal("Production", environment.Name);
    }

    [Fact]
    public void SecurityOptions_WildcardOrigin_Invalid()
    {
        var options = new SecurityOptions();
        options.AllowedOrigins.Add("*");

        Assert.True(new SecurityOptionsValidator().Validate(null, options).Failed);
    }

    [Fact]
    public void ClientIp_ForwardedForNotTrusted_UsesConnectionAddress()
    {
        var http = Request("198.51.100.7", "203.0.113.1, 192.0.2.9");

        Assert.Equal("198.51.100.7", RateLimitStep.ClientIp(http, trustForwardedFor: false));
    }

    [Fact]
    public void ClientIp_ForwardedForTrusted_UsesRightMostEntryWithoutPort()
    {
        var http = Request("10.0.0.1", "203.0.113.1, 192.0.2.9:51234");

        Assert.Equal("192.0.2.9", RateLimitStep.ClientIp(http, trustForwardedFor: true));
    }

    private static ValidateOptionsResult Validate(AuthOptions options, string environment) =>
        new AuthOptionsValidator(new SecurityEnvironment(environment)).Validate(null, options);

    private static DefaultHttpContext Request(string remote, string forwardedFor)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        http.Request.Headers["X-Forwarded-For"] = forwardedFor;
        return http;
    }
}
