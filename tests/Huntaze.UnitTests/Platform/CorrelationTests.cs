using Huntaze.Functions.Platform.Http;

namespace Huntaze.UnitTests.Platform;

public sealed class CorrelationTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("A.b_c-9", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("a b", false)]
    [InlineData("é", false)]
    [InlineData("a\nb", false)]
    public void IsValid_Value_MatchesAllowedAlphabet(string? value, bool expected) =>
        Assert.Equal(expected, Correlation.IsValid(value));

    [Fact]
    public void IsValid_LengthLimit_Is64()
    {
        Assert.True(Correlation.IsValid(new string('a', 64)));
        Assert.False(Correlation.IsValid(new string('a', 65)));
    }
}
