using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;

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

    [Fact]
    public void Get_NoHeader_AssignsDistinct32HexIdsKeptForTheRequest()
    {
        var first = new DefaultHttpContext();
        var second = new DefaultHttpContext();

        var id = Correlation.Get(first);

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Same(id, Correlation.Get(first));
        Assert.NotEqual(id, Correlation.Get(second));
    }

    [Fact]
    public void NewId_ManyCalls_NeverRepeat()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => Correlation.NewId()).ToHashSet();

        Assert.Equal(10_000, ids.Count);
    }
}
