using Huntaze.Functions.Platform.Hosting;
using Huntaze.LocalHost.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Moq;

namespace Huntaze.UnitTests.LocalHost;

public sealed class LocalFunctionContextTests
{
    [Fact]
    public void GetHttpContext_LocalContextOfHttpFunction_ReturnsTheRequest()
    {
        Assert.True(FunctionCatalog.ForApp().TryGet("Health", out var health));
        var http = new DefaultHttpContext();

        FunctionContext context = new LocalFunctionContext(health, Mock.Of<IServiceProvider>(), CancellationToken.None, http);

        // The ASP.NET Core integration's own extension must find it, as functions in Azure would.
        Assert.Same(http, context.GetHttpContext());
        Assert.Equal("Health", context.FunctionDefinition.Name);
        Assert.EndsWith("HealthFunctions.Live", context.FunctionDefinition.EntryPoint, StringComparison.Ordinal);
    }
}
