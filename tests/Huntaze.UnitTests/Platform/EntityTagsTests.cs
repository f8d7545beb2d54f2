using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;

namespace Huntaze.UnitTests.Platform;

public sealed class EntityTagsTests
{
    [Theory]
    [InlineData("\"a\"", 1)]
    [InlineData("\"a\", W/\"b\"", 2)]
    [InlineData("*", 1)]
    [InlineData("", 0)]
    public void Parse_WellFormed_ReturnsTheTags(string header, int count) =>
        Assert.Equal(count, EntityTags.Parse(Request(header), "If-Match").Count);

    [Theory]
    [InlineData("abc")]
    [InlineData("\"a\", def")]
    [InlineData("\"a\"b\"")]
    [InlineData("W/abc")]
    [InlineData("\"")]
    public void Parse_Malformed_Throws400(string header)
    {
        var problem = Assert.Throws<ProblemException>(() => EntityTags.Parse(Request(header), "If-Match"));

        Assert.Equal(400, problem.Type.Status);
    }

    [Theory]
    [InlineData("W/\"v1\"", true)]
    [InlineData("\"v1\"", true)]
    [InlineData("*", true)]
    [InlineData("\"v2\"", false)]
    public void WeakMatch_Tags_ComparesOpaqueTagsOnly(string header, bool expected) =>
        Assert.Equal(expected, EntityTags.WeakMatch(EntityTags.Parse(Request(header), "If-None-Match"), "\"v1\""));

    private static HttpRequest Request(string header)
    {
        var context = new DefaultHttpContext();
        if (header.Length > 0)
        {
            context.Request.Headers["If-Match"] = header;
            context.Request.Headers["If-None-Match"] = header;
        }

        return context.Request;
    }
}
