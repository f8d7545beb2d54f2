using Huntaze.Functions.Flags.AppConfiguration;

namespace Huntaze.UnitTests.Flags;

public sealed class ReadWriteAuthenticatorTests
{
    private sealed class Stamp(string name) : IAppConfigurationAuthenticator
    {
        public ValueTask AuthenticateAsync(HttpRequestMessage request, byte[] body, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", name);
            return ValueTask.CompletedTask;
        }
    }

    [Theory]
    [InlineData("GET", "reader")]
    [InlineData("HEAD", "reader")]
    [InlineData("PUT", "writer")]
    [InlineData("DELETE", "writer")]
    [InlineData("PATCH", "writer")]
    public async Task Authenticate_ByMethod_ReadsAsTheAppAndWritesAsTheFlagAdmin(string method, string expected)
    {
        var authenticator = new ReadWriteAuthenticator(new Stamp("reader"), new Stamp("writer"));
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://store.azconfig.io/kv/x");

        await authenticator.AuthenticateAsync(request, [], TestContext.Current.CancellationToken);

        Assert.Equal(expected, request.Headers.Authorization?.Parameter);
    }
}
