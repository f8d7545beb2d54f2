using Huntaze.Functions.Security;

namespace Huntaze.UnitTests.Security;

public sealed class UserIdsTests
{
    [Theory]
    [InlineData("u-3f2a")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ")]
    [InlineData("google-oauth2|1234567890")]
    [InlineData("first.last+tag@example.com")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public void IsValid_IdentityProviderSubjects_Accepted(string userId) => Assert.True(UserIds.IsValid(userId));

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    [InlineData("a b")]
    [InlineData("caf\u00e9")]
    [InlineData("abc\n")]
    [InlineData("a\u0000")]
    public void IsValid_NotATableKeyOrOutsideTheAllowlist_Refused(string userId) => Assert.False(UserIds.IsValid(userId));

    [Fact]
    public void IsValid_TrailingNewline_Refused()
    {
        // A regular expression anchored with '$' accepts "abc\n": the rule must not.
        Assert.False(UserIds.IsValid("abc\n"));
        Assert.Equal("character U+000A at position 4 is not allowed (allowed: A-Z a-z 0-9 . _ @ | : + = -)", UserIds.Explain("abc\n"));
    }

    [Fact]
    public void Explain_TooLong_NamesTheLengthAndTheLimit() =>
        Assert.Equal("it is 129 characters long; at most 128 are allowed", UserIds.Explain(new string('a', 129)));

    [Fact]
    public void Explain_PrintableCharacter_ShownWithItsCodePoint() =>
        Assert.StartsWith("character '/' (U+002F) at position 2", UserIds.Explain("a/b"), StringComparison.Ordinal);
}
