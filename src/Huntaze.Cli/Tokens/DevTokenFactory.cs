using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Huntaze.Cli.Tokens;

/// <summary>What a development token says about its holder.</summary>
public sealed record DevTokenRequest(
    string UserId,
    IReadOnlyList<string> Roles,
    string? Market,
    string Issuer,
    string Audience,
    string SigningKeyBase64,
    TimeSpan Lifetime);

/// <summary>
/// Mints HS256 development tokens (typ <c>at+jwt</c>, RFC 9068) that the API accepts only when its
/// environment is Development. The tests mint theirs here too, so there is one token format.
/// </summary>
public static class DevTokenFactory
{
    public const string TokenType = "at+jwt";

    public static string Create(DevTokenRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = new SymmetricSecurityKey(Convert.FromBase64String(request.SigningKeyBase64));
        if (key.KeySize < 256)
        {
            throw new ArgumentException("The development signing key must be at least 256 bits.", nameof(request));
        }

        var claims = new List<Claim> { new("sub", request.UserId) };
        claims.AddRange(request.Roles.Select(r => new Claim("roles", r)));
        if (!string.IsNullOrEmpty(request.Market))
        {
            claims.Add(new Claim("market", request.Market));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = request.Issuer,
            Audience = request.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(request.Lifetime).UtcDateTime,
            TokenType = TokenType,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
