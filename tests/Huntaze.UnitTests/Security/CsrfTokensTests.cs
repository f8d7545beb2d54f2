using Huntaze.Functions.Security.Csrf;

namespace Huntaze.UnitTests.Security;

public sealed class CsrfTokensTests
{
    private readonly CsrfTokens _tokens = new(Enumerable.Repeat((byte)7, 32).ToArray());

    [Fact]
    public void Verify_TokenIssuedForSameSession_True()
    {
        var token = _tokens.Issue("session-a");

        Assert.True(_tokens.Verify(token, "session-a"));
    }

    [Fact]
    public void Verify_TokenIssuedForAnotherSession_False()
    {
        var token = _tokens.Issue("session-a");

        Assert.False(_tokens.Verify(token, "session-b"));
    }

    [Fact]
    public void Verify_TamperedSignature_False()
    {
        var token = _tokens.Issue("session-a");
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        Assert.False(_tokens.Verify(tampered, "session-a"));
    }

    [Fact]
    public void Verify_TamperedNonce_False()
    {
        var token = _tokens.Issue("session-a");
        var tampered = (token[0] == 'A' ? "B" : "A") + token[1..];

        Assert.False(_tokens.Verify(tampered, "session-a"));
    }

    [Fact]
    public void Verify_TokenSignedWithAnotherKey_False()
    {
        var token = new CsrfTokens(Enumerable.Repeat((byte)8, 32).ToArray()).Issue("session-a");

        Assert.False(_tokens.Verify(token, "session-a"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData(".")]
    [InlineData("!!!.???")]
    public void Verify_Malformed_False(string? token)
    {
        Assert.False(_tokens.Verify(token, "session-a"));
    }

    [Fact]
    public void DeriveFromDevelopmentKey_DiffersFromTheSigningKey()
    {
        var signingKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        var derived = CsrfTokens.DeriveFromDevelopmentKey(Convert.ToBase64String(signingKey));

        Assert.NotEqual(signingKey, derived);
    }
}
