using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Huntaze.Cli.Tokens;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Platform;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Huntaze.IntegrationTests.Security;

/// <summary>RFC 8725 attack cases against the running host: each must be a 401 with <c>WWW-Authenticate: Bearer</c>.</summary>
public sealed class AuthenticationTests(HostFixture fixture)
{
    private const string Protected = "/api/admin/audit";

    public static TheoryData<string> Attacks => new() { "none", "alg-none", "other-key", "expired", "wrong-audience", "wrong-issuer", "wrong-type", "tampered-payload", "hs-with-rsa-public-key", "rs256-unknown-key" };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task ProtectedFunction_AttackToken_Returns401WithChallenge(string attack)
    {
        using var client = fixture.CreateClient();
        var token = AttackToken(attack);
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.GetAsync(Protected, TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProtectedFunction_ValidAdminToken_Returns200NoStore()
    {
        using var client = fixture.CreateClient(HostFixture.NewUserId(), "FR", "admin");

        using var response = await client.GetAsync(Protected, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // no-store alone is on every response; Pragma and Vary are what the authenticated path adds.
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Contains("no-cache", response.Headers.Pragma.ToString(), StringComparison.Ordinal);
        Assert.Contains("Authorization", response.Headers.Vary);
    }

    [Fact]
    public async Task ProtectedFunction_WrongRole_Returns403()
    {
        using var client = fixture.CreateClient(HostFixture.NewUserId(), "FR", "support");

        using var response = await client.GetAsync(Protected, TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task ProtectedFunction_ValidSessionCookie_Returns200()
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Protected);
        request.Headers.Add("Cookie", $"__Host-huntaze-session={HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["dpo"])}");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string> UnusableSubjects => new()
    {
        { "a/b", "'/' (U+002F) at position 2" },
        { "a#b", "'#' (U+0023) at position 2" },
        { "a?b", "'?' (U+003F) at position 2" },
        { "a\\b", "'\\' (U+005C) at position 2" },
        { "ab\n", "U+000A at position 3" },
        { "a\u0000b", "U+0000 at position 2" },
        { "a\u007fb", "U+007F at position 2" },
        { "caf\u00e9", "U+00E9 at position 4" },
        { new string('u', 129), "129 characters long" },
    };

    /// <summary>A validly signed token whose subject cannot be a user id (a partition key, an admin route segment) is refused at authentication, saying why.</summary>
    [Theory]
    [MemberData(nameof(UnusableSubjects))]
    public async Task UserFunction_SignedTokenWithUnusableSubject_Returns401NamingWhy(string subject, string expected)
    {
        using var client = fixture.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(subject, "FR", ["user"]));

        using var response = await client.GetAsync("/api/onboarding", TestContext.Current.CancellationToken);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        using var body = System.Text.Json.JsonDocument.Parse(text);
        var detail = body.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("'sub'", detail, StringComparison.Ordinal);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(detail, char.IsControl);
        Assert.DoesNotContain(subject, detail, StringComparison.Ordinal);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static string? AttackToken(string attack)
    {
        var now = DateTimeOffset.UtcNow;
        var key = new SymmetricSecurityKey(Convert.FromBase64String(HostFixture.SigningKey));
        switch (attack)
        {
            case "none":
                return null;
            case "alg-none":
                return new JsonWebTokenHandler().CreateToken(Descriptor(now, null));
            case "other-key":
                return Dev(now, key: Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            case "expired":
                return Dev(now.AddHours(-2), lifetime: TimeSpan.FromMinutes(30));
            case "wrong-audience":
                return Dev(now, audience: "api://someone-else");
            case "wrong-issuer":
                return Dev(now, issuer: "https://evil.example");
            case "wrong-type":
                var typed = Descriptor(now, new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
                typed.TokenType = "id+jwt";
                return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(typed);
            case "tampered-payload":
                var parts = Dev(now).Split('.');
                var payload = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[1])).Replace("\"user\"", "\"admin\"", StringComparison.Ordinal);
                return $"{parts[0]}.{WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
            case "hs-with-rsa-public-key":
                using (var rsa = RSA.Create(2048))
                {
                    return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
                        Descriptor(now, new SigningCredentials(new SymmetricSecurityKey(rsa.ExportSubjectPublicKeyInfo()), SecurityAlgorithms.HmacSha256)));
                }

            case "rs256-unknown-key":
                using (var rsa = RSA.Create(2048))
                {
                    return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
                        Descriptor(now, new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256)));
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(attack));
        }
    }

    private static string Dev(DateTimeOffset now, string? key = null, string issuer = HostFixture.Issuer, string audience = HostFixture.Audience, TimeSpan? lifetime = null) =>
        DevTokenFactory.Create(new DevTokenRequest("attacker", ["user"], "FR", issuer, audience, key ?? HostFixture.SigningKey, lifetime ?? TimeSpan.FromMinutes(30)), now);

    private static SecurityTokenDescriptor Descriptor(DateTimeOffset now, SigningCredentials? credentials) => new()
    {
        Issuer = HostFixture.Issuer,
        Audience = HostFixture.Audience,
        Subject = new ClaimsIdentity([new Claim("sub", "attacker"), new Claim("roles", "admin")]),
        IssuedAt = now.UtcDateTime,
        NotBefore = now.UtcDateTime,
        Expires = now.AddMinutes(30).UtcDateTime,
        TokenType = "at+jwt",
        SigningCredentials = credentials,
    };
}
