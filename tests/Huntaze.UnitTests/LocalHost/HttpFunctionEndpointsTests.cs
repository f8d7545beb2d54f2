using Huntaze.Functions.Platform.Hosting;
using Huntaze.LocalHost.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.UnitTests.LocalHost;

public sealed class HttpFunctionEndpointsTests
{
    [Fact]
    public void Binders_TriggerBoundToAnotherType_FailWhenTheFunctionIsMapped()
    {
        var function = Descriptor(nameof(Samples.TriggerAsString));

        var error = Assert.Throws<InvalidOperationException>(() => HttpFunctionEndpoints.Binders(function));

        Assert.Contains("binds HTTP triggers as HttpRequest only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binders_BuiltOnce_BindEachCallsOwnRequestRouteValuesAndToken()
    {
        var binders = HttpFunctionEndpoints.Binders(Descriptor(nameof(Samples.Step)));
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var one = Request("intro", "3", first.Token);
        var two = Request("goals", "12", second.Token);

        var bound = new[] { one, two }.Select(http => binders.Select(b => b(http)).ToArray()).ToArray();

        Assert.Equal<object?>([one.Request, "intro", 3, first.Token], bound[0]);
        Assert.Equal<object?>([two.Request, "goals", 12, second.Token], bound[1]);
    }

    private static DefaultHttpContext Request(string stepId, string count, CancellationToken aborted)
    {
        var http = new DefaultHttpContext { RequestAborted = aborted };
        http.Request.RouteValues["stepId"] = stepId;
        http.Request.RouteValues["count"] = count;
        return http;
    }

    private static FunctionDescriptor Descriptor(string method)
    {
        var info = typeof(Samples).GetMethod(method)!;
        return new FunctionDescriptor(method, info, TriggerKind.Http, info.GetParameters()[0], "samples/{stepId}", ["get"], null, false);
    }

    /// <summary>Not functions (no <c>[Function]</c>): no catalog ever finds them; the tests describe them by hand.</summary>
    public static class Samples
    {
        public static Task<int> Step([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request, string stepId, int count, CancellationToken cancellationToken) =>
            Task.FromResult(count);

        public static Task TriggerAsString([HttpTrigger(AuthorizationLevel.Anonymous, "get")] string body) => Task.CompletedTask;
    }
}
