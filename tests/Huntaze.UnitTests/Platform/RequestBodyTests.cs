using System.Text;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;

namespace Huntaze.UnitTests.Platform;

public sealed class RequestBodyTests
{
    private sealed record Sample(string Name, int Count);

    [Fact]
    public async Task ReadJsonAsync_ValidBody_Deserializes()
    {
        var sample = await RequestBody.ReadJsonAsync<Sample>(Request("""{"name":"a","count":2}"""), CancellationToken.None);

        Assert.Equal(new Sample("a", 2), sample);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task ReadJsonAsync_NotJson_Throws415(string? contentType)
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => RequestBody.ReadJsonAsync<Sample>(Request("""{"name":"a","count":2}""", contentType), CancellationToken.None));

        Assert.Equal(415, problem.Type.Status);
    }

    [Theory]
    [InlineData("""{"name":"a","count":2,"extra":1}""")]
    [InlineData("""{"name":"a","name":"b","count":2}""")]
    [InlineData("""{"name":"a","count":"two"}""")]
    [InlineData("""{"name":"a",""")]
    [InlineData("null")]
    [InlineData("")]
    public async Task ReadJsonAsync_Malformed_Throws400(string body)
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() => RequestBody.ReadJsonAsync<Sample>(Request(body), CancellationToken.None));

        Assert.Equal(400, problem.Type.Status);
    }

    [Fact]
    public async Task ReadJsonAsync_Over64KB_Throws413()
    {
        var body = $$"""{"name":"{{new string('a', RequestBody.MaxBytes)}}","count":1}""";

        var problem = await Assert.ThrowsAsync<ProblemException>(() => RequestBody.ReadJsonAsync<Sample>(Request(body, declareLength: false), CancellationToken.None));

        Assert.Equal(413, problem.Type.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadJsonAsync_BodyLongerThanFirstBuffer_ReadsAllOfIt(bool declareLength)
    {
        var name = new string('b', 20_000);

        var sample = await RequestBody.ReadJsonAsync<Sample>(Request($$"""{"name":"{{name}}","count":7}""", declareLength: declareLength), CancellationToken.None);

        Assert.Equal(name, sample.Name);
        Assert.Equal(7, sample.Count);
    }

    [Fact]
    public async Task ReadJsonAsync_UndeclaredLengthExactlyAtLimit_Accepted()
    {
        var padding = RequestBody.MaxBytes - """{"name":"","count":1}""".Length;
        var body = $$"""{"name":"{{new string('c', padding)}}","count":1}""";
        Assert.Equal(RequestBody.MaxBytes, Encoding.UTF8.GetByteCount(body));

        var sample = await RequestBody.ReadJsonAsync<Sample>(Request(body, declareLength: false), CancellationToken.None);

        Assert.Equal(padding, sample.Name.Length);
    }

    [Fact]
    public async Task ReadJsonAsync_UndeclaredLengthOneByteOverLimit_Throws413()
    {
        var padding = RequestBody.MaxBytes - """{"name":"","count":1}""".Length + 1;
        var body = $$"""{"name":"{{new string('c', padding)}}","count":1}""";

        var problem = await Assert.ThrowsAsync<ProblemException>(() => RequestBody.ReadJsonAsync<Sample>(Request(body, declareLength: false), CancellationToken.None));

        Assert.Equal(413, problem.Type.Status);
    }

    private static HttpRequest Request(string body, string? contentType = "application/json", bool declareLength = true)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentType = contentType;
        context.Request.ContentLength = declareLength ? bytes.Length : null;
        return context.Request;
    }
}
