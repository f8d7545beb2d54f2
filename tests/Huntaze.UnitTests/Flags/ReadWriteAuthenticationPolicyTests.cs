using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Huntaze.Functions.Flags.AppConfiguration;

namespace Huntaze.UnitTests.Flags;

public sealed class ReadWriteAuthenticationPolicyTests
{
    private sealed class Stamp(string name) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("Authorization", "Bearer " + name);
    }

    private sealed class Recorder : HttpMessageHandler
    {
        public string? Authorization { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.Authorization?.Parameter;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    private sealed class Options : ClientOptions;

    [Theory]
    [InlineData("GET", "reader")]
    [InlineData("HEAD", "reader")]
    [InlineData("PUT", "writer")]
    [InlineData("DELETE", "writer")]
    [InlineData("PATCH", "writer")]
    public async Task ProcessAsync_ByMethod_ReadsAsTheAppAndWritesAsTheFlagAdmin(string method, string expected)
    {
        using var recorder = new Recorder();
        using var http = new HttpClient(recorder);
        var options = new Options { Transport = new HttpClientTransport(http) };
        options.Retry.MaxRetries = 0;
        var pipeline = HttpPipelineBuilder.Build(options, new ReadWriteAuthenticationPolicy(new Stamp("reader"), new Stamp("writer")));
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Parse(method);
        message.Request.Uri.Reset(new Uri("https://store.azconfig.io/kv/x"));

        await pipeline.SendAsync(message, TestContext.Current.CancellationToken);

        Assert.Equal(expected, recorder.Authorization);
    }
}
