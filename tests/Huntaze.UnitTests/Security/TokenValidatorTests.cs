using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Huntaze.Cli.Tokens;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Moq;

namespace Huntaze.UnitTests.Security;

public sealed class TokenValidatorTests : IDisposable
{
    private const string Issuer = "https://dev.huntaze.local";
    private const string Audience = "api://huntaze-onboarding";
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string OtherKey = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly RSA _rsa = RSA.Create(2048);

    public void Dispose() => _rsa.Dispose();

    [Fact]
    public async Task ValidateAsync_DevelopmentToken_ReturnsCallerWithClaims()
    {
        var validator = DevValidator();

        var result = await validator.ValidateAsync(DevToken(roles: [Roles.Admin, Roles.Dpo]), CancellationToken.None);

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal("u1", result.Caller!.UserId);
        Assert.Equal(["admin", "dpo"], result.Caller.Roles.Order());
        Assert.Equal("FR", result.Caller.Market);
    }

    [Fact]
    public async Task ValidateAsync_SingleRoleAndUnknownRole_KeepsOnlyKnownRoles()
    {
        var token = Sign(Claims(("roles", "support"), ("roles", "superuser")), SecurityAlgorithms.HmacSha256, new SymmetricSecurityKey(Convert.FromBase64String(Key)));

        var result = await DevValidator().ValidateAsync(token, CancellationToken.None);

        Assert.Equal(["support"], result.Caller!.Roles);
    }

    [Fact]
    public async Task ValidateAsync_AlgNone_Rejected()
    {
        var descriptor = Descriptor(Claims(("roles", "admin")));
        var token = new JsonWebTokenHandler().CreateToken(descriptor); // no signing credentials: alg "none"
        Assert.Contains("\"none\"", Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token.Split('.')[0])), StringComparison.Ordinal);

        var result = await DevValidator().ValidateAsync(token, CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_SignedWithAnotherKey_Rejected()
    {
        var result = await DevValidator().ValidateAsync(DevToken(key: OtherKey), CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_ExpiredBeyondSkew_Rejected()
    {
        var token = DevToken(lifetime: TimeSpan.FromMinutes(5));
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(31));

        var result = await DevValidator().ValidateAsync(token, CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_ExpiredWithinSkew_Accepted()
    {
        var token = DevToken(lifetime: TimeSpan.FromMinutes(5));
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(20));

        var result = await DevValidator().ValidateAsync(token, CancellationToken.None);

        Assert.True(result.IsValid, result.Failure);
    }

    [Fact]
    public async Task ValidateAsync_NotYetValid_Rejected()
    {
        var token = DevToken(issuedAt: _time.GetUtcNow().AddMinutes(2));

        var result = await DevValidator().ValidateAsync(token, CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_WrongAudience_Rejected()
    {
        var result = await DevValidator().ValidateAsync(DevToken(audience: "api://someone-else"), CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_WrongIssuer_Rejected()
    {
        var result = await DevValidator().ValidateAsync(DevToken(issuer: "https://evil.example"), CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_WrongType_Rejected()
    {
        var descriptor = Descriptor(Claims(("roles", "user")));
        descriptor.TokenType = "id+jwt";
        descriptor.SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(Key)), SecurityAlgorithms.HmacSha256);
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);

        var result = await DevValidator().ValidateAsync(token, CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_TamperedPayload_Rejected()
    {
        var parts = DevToken(roles: [Roles.User]).Split('.');
        var payload = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[1])).Replace("\"user\"", "\"admin\"", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        var result = await DevValidator().ValidateAsync(tampered, CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_DevelopmentKeyOutsideDevelopment_Rejected()
    {
        var validator = new TokenValidator(Options(), developmentKeyAllowed: false, Metadata(), _time);

        var result = await validator.ValidateAsync(DevToken(), CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_Rs256FromMetadataKey_Accepted()
    {
        var validator = new TokenValidator(Options(), developmentKeyAllowed: false, Metadata(), _time);
        var token = Sign(Claims(("roles", "admin")), SecurityAlgorithms.RsaSha256, new RsaSecurityKey(_rsa) { KeyId = "k1" });

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.True(result.IsValid, result.Failure);
    }

    [Fact]
    public async Task ValidateAsync_Rs256FromMetadataX509Key_Accepted()
    {
        // Entra ID publishes its keys with x5c, which the metadata reader turns into X509SecurityKeys.
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=issuer", _rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(new X509SecurityKey(certificate, "x1"));
        var validator = new TokenValidator(Options(), developmentKeyAllowed: false, new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration), _time);
        var token = Sign(Claims(("roles", "admin")), SecurityAlgorithms.RsaSha256, new RsaSecurityKey(_rsa) { KeyId = "x1" });

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.True(result.IsValid, result.Failure);
    }

    [Fact]
    public async Task ValidateAsync_Hs256SignedWithSymmetricKeyFromMetadata_Refused()
    {
        var secret = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "s1" };
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(secret);
        var validator = new TokenValidator(Options(), developmentKeyAllowed: false, new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration), _time);

        var result = await validator.ValidateAsync(Sign(Claims(("roles", "admin")), SecurityAlgorithms.HmacSha256, secret), CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_MetadataUnreachable_Throws503Problem()
    {
        var metadata = new Mock<IConfigurationManager<OpenIdConnectConfiguration>>();
        metadata.Setup(m => m.GetConfigurationAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("IDX20803: Unable to obtain configuration"));
        var validator = new TokenValidator(Options(), developmentKeyAllowed: false, metadata.Object, _time);
        var token = Sign(Claims(("roles", "admin")), SecurityAlgorithms.RsaSha256, new RsaSecurityKey(_rsa) { KeyId = "k1" });

        var problem = await Assert.ThrowsAsync<Huntaze.Functions.Platform.Http.ProblemException>(() => validator.ValidateAsync(token, CancellationToken.None));

        Assert.Equal(503, problem.Type.Status);
    }

    [Fact]
    public async Task ValidateAsync_HmacSignedWithPublicRsaKey_Rejected()
    {
        // HS/RS confusion: the attacker uses the published RSA public key as an HMAC secret.
        var validator = new TokenValidator(Options(), developmentKeyAllowed: true, Metadata(), _time);
        var publicKeyBytes = _rsa.ExportSubjectPublicKeyInfo();
        var token = Sign(Claims(("roles", "admin")), SecurityAlgorithms.HmacSha256, new SymmetricSecurityKey(publicKeyBytes));

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_Rs256WithoutMetadata_Rejected()
    {
        using var attacker = RSA.Create(2048);
        var token = Sign(Claims(("roles", "admin")), SecurityAlgorithms.RsaSha256, new RsaSecurityKey(attacker));

        var result = await DevValidator().ValidateAsync(token, CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_Garbage_Rejected()
    {
        var result = await DevValidator().ValidateAsync("not.a.jwt", CancellationToken.None);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_SameValidTokenAgain_ReusesTheValidationWithoutTheMetadata()
    {
        var (metadata, fetches) = CountingMetadata();
        var validator = new TokenValidator(Options(), developmentKeyAllowed: false, metadata.Object, _time);
        var token = Sign(Claims(("roles", "admin")), SecurityAlgorithms.RsaSha256, new RsaSecurityKey(_rsa) { KeyId = "k1" });

        var first = await validator.ValidateAsync(token, CancellationToken.None);
        var second = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.True(second.IsValid, second.Failure);
        Assert.Same(first, second);
        Assert.Equal(1, fetches());
        Assert.Equal(AuthenticationStep.Bind(token), second.SessionBinding);
    }

    [Fact]
    public async Task ValidateAsync_ReusedPastMaxAge_ValidatesAgain()
    {
        var (metadata, fetches) = CountingMetadata();
        var validator = new TokenValidator(Options(), developmentKeyAllowed: false, metadata.Object, _time);
        var token = Sign(Claims(("roles", "admin")), SecurityAlgorithms.RsaSha256, new RsaSecurityKey(_rsa) { KeyId = "k1" });

        await validator.ValidateAsync(token, CancellationToken.None);
        _time.Advance(ValidatedTokens.MaxAge);
        var again = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.True(again.IsValid, again.Failure);
        Assert.Equal(2, fetches());
    }

    [Fact]
    public async Task ValidateAsync_RememberedTokenExpires_RejectedAtItsExpiry()
    {
        // Lifetime 20 s and the default 30 s skew: valid until 50 s, before the 60 s a validation is kept run out.
        var validator = DevValidator();
        var token = DevToken(lifetime: TimeSpan.FromSeconds(20));
        Assert.True((await validator.ValidateAsync(token, CancellationToken.None)).IsValid);

        _time.Advance(TimeSpan.FromSeconds(49));
        Assert.True((await validator.ValidateAsync(token, CancellationToken.None)).IsValid);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False((await validator.ValidateAsync(token, CancellationToken.None)).IsValid);
    }

    [Fact]
    public async Task ValidateAsync_RefusedTokenAgain_NeverRemembered()
    {
        // Not yet valid (nbf 45 s ahead, 30 s skew), then valid 20 s later: well within the 60 s a validation is kept,
        // so a remembered refusal would still refuse it.
        var validator = DevValidator();
        var token = DevToken(issuedAt: _time.GetUtcNow().AddSeconds(45));
        Assert.False((await validator.ValidateAsync(token, CancellationToken.None)).IsValid);

        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.True((await validator.ValidateAsync(token, CancellationToken.None)).IsValid);
    }

    [Fact]
    public async Task TryGetValidated_TokenInsideItsHeader_FoundWithoutCopyUntilItExpires()
    {
        var validator = DevValidator();
        var token = DevToken(lifetime: TimeSpan.FromSeconds(20));
        var header = "Bearer " + token + " ";
        Assert.False(validator.TryGetValidated(header.AsSpan(7, token.Length), out _));

        var validated = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.True(validator.TryGetValidated(header.AsSpan(7, token.Length), out var known));
        Assert.Same(validated, known);
        Assert.False(validator.TryGetValidated(header.AsSpan(7, token.Length - 1), out _));
        _time.Advance(TimeSpan.FromSeconds(50)); // 20 s lifetime + 30 s skew
        Assert.False(validator.TryGetValidated(header.AsSpan(7, token.Length), out _));
    }

    [Fact]
    public void Add_Full_DropsExpiredThenEverything()
    {
        var tokens = new ValidatedTokens(_time, capacity: 2);
        var valid = new TokenValidation(new Caller("u1", new HashSet<string>(), null, CredentialKind.Bearer), null);
        tokens.Add("a", valid, _time.GetUtcNow() + TimeSpan.FromSeconds(10));
        tokens.Add("b", valid, _time.GetUtcNow() + TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromSeconds(20));

        tokens.Add("c", valid, _time.GetUtcNow() + TimeSpan.FromHours(1)); // "a" had expired: it goes, "b" stays
        Assert.True(tokens.TryGet("b", out _));
        tokens.Add("d", valid, _time.GetUtcNow() + TimeSpan.FromHours(1)); // nothing expired: everything goes

        Assert.Equal(1, tokens.Count);
        Assert.True(tokens.TryGet("d", out _));
        Assert.False(tokens.TryGet("b", out _));
    }

    private (Mock<IConfigurationManager<OpenIdConnectConfiguration>> Metadata, Func<int> Fetches) CountingMetadata()
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "k1" });
        var fetches = 0;
        var metadata = new Mock<IConfigurationManager<OpenIdConnectConfiguration>>();
        metadata.Setup(m => m.GetConfigurationAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
        {
            Interlocked.Increment(ref fetches);
            return configuration;
        });
        return (metadata, () => Volatile.Read(ref fetches));
    }

    private TokenValidator DevValidator() => new(Options(), developmentKeyAllowed: true, metadata: null, _time);

    private static AuthOptions Options() => new() { Issuer = Issuer, Audience = Audience, DevelopmentSigningKey = Key };

    private StaticConfigurationManager<OpenIdConnectConfiguration> Metadata()
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "k1" });
        return new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
    }

    private string DevToken(string[]? roles = null, string? key = null, string issuer = Issuer, string audience = Audience, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null) =>
        DevTokenFactory.Create(
            new DevTokenRequest("u1", roles ?? [Roles.User], "FR", issuer, audience, key ?? Key, lifetime ?? TimeSpan.FromHours(1)),
            issuedAt ?? _time.GetUtcNow());

    private static List<Claim> Claims(params (string Type, string Value)[] claims) =>
        [new("sub", "u1"), .. claims.Select(c => new Claim(c.Type, c.Value))];

    private SecurityTokenDescriptor Descriptor(List<Claim> claims) => new()
    {
        Issuer = Issuer,
        Audience = Audience,
        Subject = new ClaimsIdentity(claims),
        IssuedAt = _time.GetUtcNow().UtcDateTime,
        NotBefore = _time.GetUtcNow().UtcDateTime,
        Expires = _time.GetUtcNow().AddHours(1).UtcDateTime,
        TokenType = "at+jwt",
    };

    private string Sign(List<Claim> claims, string algorithm, SecurityKey key)
    {
        var descriptor = Descriptor(claims);
        descriptor.SigningCredentials = new SigningCredentials(key, algorithm);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
