using System.Security.Cryptography;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Huntaze.UnitTests.Platform;

public sealed class JsonRepresentationTests
{
    private sealed record Sample(string Name, int Count);

    [Fact]
    public async Task Ok_Representation_SendsTheBytesItsETagHashes()
    {
        var representation = JsonRepresentation.Of(new Sample("é<b>", 2));
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;

        await ApiResult.Ok(representation).ExecuteResultAsync(new ActionContext(http, new RouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));

        var sent = body.ToArray();
        Assert.Equal(representation.Utf8.ToArray(), sent);
        Assert.Equal(representation.ETag, http.Response.Headers.ETag.ToString());
        var expected = Convert.ToBase64String(SHA256.HashData(sent), 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal($"\"{expected}\"", representation.ETag);
    }

    [Fact]
    public void Of_EqualValues_SameETag_DifferentValues_DifferentETag()
    {
        Assert.Equal(JsonRepresentation.Of(new Sample("a", 1)).ETag, JsonRepresentation.Of(new Sample("a", 1)).ETag);
        Assert.NotEqual(JsonRepresentation.Of(new Sample("a", 1)).ETag, JsonRepresentation.Of(new Sample("a", 2)).ETag);
    }
}
