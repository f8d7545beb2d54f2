using System.Net.Sockets;
using System.Text;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>Bodies whose HTTP framing is broken, sent over a raw socket (HttpClient will not send them): 400, never 500.</summary>
public sealed class RequestFramingTests(HostFixture fixture)
{
    /// <summary>The rest of the declared body never comes: Kestrel gives up on it (its minimum data rate, after a 5 s grace).</summary>
    [Fact]
    public async Task Patch_BodyShorterThanDeclared_Returns400()
    {
        var head = Head("Content-Length: 200");

        var response = await SendAsync(head + """{"status":"in_progress"}""", closeAfterSending: false);

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_MalformedChunkedBody_Returns400()
    {
        var head = Head("Transfer-Encoding: chunked");

        var response = await SendAsync(head + "zz\r\n{\"status\":\"in_progress\"}\r\n0\r\n\r\n", closeAfterSending: false);

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
    }

    private string Head(string framing) =>
        $"PATCH /api/onboarding/steps/creator_assessment HTTP/1.1\r\nHost: {fixture.Host.BaseAddress.Authority}\r\n" +
        $"Authorization: Bearer {HostFixture.CreateToken(HostFixture.NewUserId(), "US", ["user"])}\r\n" +
        "Content-Type: application/json\r\nIf-Match: \"step-0\"\r\nConnection: close\r\n" + framing + "\r\n\r\n";

    private async Task<string> SendAsync(string request, bool closeAfterSending)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.Host.BaseAddress.Host, fixture.Host.BaseAddress.Port, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
        if (closeAfterSending)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
