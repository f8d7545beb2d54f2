using System.Diagnostics;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;

namespace Huntaze.UnitTests.Platform;

public sealed class PipelineLogScopeTests
{
    [Fact]
    public void Enumerate_WithSpan_CorrelationTraceAndFunction()
    {
        using var span = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
        var scope = new PipelineLogScope("corr-1", span, new DefaultHttpContext(), "OnboardingGet");

        var values = scope.ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal(3, scope.Count);
        Assert.Equal("corr-1", values["CorrelationId"]);
        Assert.Equal(span.TraceId.ToString(), values["TraceId"]);
        Assert.Equal("OnboardingGet", values["FunctionName"]);
        Assert.Contains("CorrelationId:corr-1", scope.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Indexer_WithoutSpan_TraceIdentifierOfTheRequest()
    {
        var http = new DefaultHttpContext { TraceIdentifier = "req-7" };

        var scope = new PipelineLogScope("corr-1", null, http, "OnboardingGet");

        Assert.Equal(new KeyValuePair<string, object>("TraceId", "req-7"), scope[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => scope[3]);
    }
}
