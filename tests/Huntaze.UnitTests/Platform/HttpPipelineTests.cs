using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huntaze.UnitTests.Platform;

public sealed class HttpPipelineTests
{
    [Fact]
    public async Task RunAsync_AwaitingAndPassThroughSteps_RunInOrderThenTheFunction()
    {
        var trace = new List<string>();
        var pipeline = Pipeline([new Recording("a", trace, awaits: true), new Recording("b", trace, awaits: false), new Recording("c", trace, awaits: true)], []);

        await pipeline.RunAsync(Http(), Function(), () => { trace.Add("function"); return Task.CompletedTask; });

        Assert.Equal(["a", "b", "c", "function", "c done", "a done"], trace);
    }

    [Fact]
    public async Task RunAsync_StepAnswersWithoutContinuing_LaterStepsAndFunctionNotRun()
    {
        var trace = new List<string>();
        var pipeline = Pipeline([new Recording("a", trace, awaits: false), new Answering(), new Recording("c", trace, awaits: false)], []);

        await pipeline.RunAsync(Http(), Function(), () => { trace.Add("function"); return Task.CompletedTask; });

        Assert.Equal(["a"], trace);
    }

    [Fact]
    public async Task RunAsync_StepThrowsProblem_ObserversToldOnceAndProblemAnswered()
    {
        var observer = new Observer();
        var http = Http();
        var pipeline = Pipeline([new Throwing(Problems.Forbidden("no"))], [observer]);

        await pipeline.RunAsync(http, Function(), () => Task.CompletedTask);

        Assert.Equal([403], observer.Statuses);
        Assert.Equal(403, http.Response.StatusCode);
        Assert.Equal(ProblemWriter.ContentType, http.Response.ContentType);
    }

    [Fact]
    public async Task RunAsync_FunctionThrowsProblemBehindAwaitingStep_ObserversTold()
    {
        var observer = new Observer();
        var pipeline = Pipeline([new Recording("a", [], awaits: true)], [observer]);

        await pipeline.RunAsync(Http(), Function(), () => throw Problems.Unauthenticated(true, null));

        Assert.Equal([401], observer.Statuses);
    }

    [Fact]
    public async Task RunAsync_ObserverThrows_ProblemStillAnsweredAndLaterObserversTold()
    {
        var later = new Observer();
        var http = Http();
        var pipeline = Pipeline([new Throwing(Problems.Forbidden("no"))], [new FailingObserver(), later]);

        await pipeline.RunAsync(http, Function(), () => Task.CompletedTask);

        Assert.Equal(403, http.Response.StatusCode);
        Assert.Equal(ProblemWriter.ContentType, http.Response.ContentType);
        Assert.Equal([403], later.Statuses);
    }

    [Fact]
    public async Task RunAsync_NoProblem_ObserversNotTold()
    {
        var observer = new Observer();
        var pipeline = Pipeline([new Recording("a", [], awaits: false)], [observer]);

        await pipeline.RunAsync(Http(), Function(), () => Task.CompletedTask);

        Assert.Empty(observer.Statuses);
    }

    private static HttpPipeline Pipeline(IHttpPipelineStep[] steps, IProblemObserver[] observers) =>
        new(steps, observers, NullLogger<HttpPipeline>.Instance);

    private static DefaultHttpContext Http()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        return http;
    }

    private static FunctionDescriptor Function() =>
        new("Test", typeof(HttpPipelineTests).GetMethod(nameof(Function), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!, TriggerKind.Http, null!, "test", ["GET"], null, false);

    private sealed class Recording(string name, List<string> trace, bool awaits) : IHttpPipelineStep
    {
        public Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
        {
            trace.Add(name);
            return awaits ? AroundAsync(continuation) : continuation();
        }

        private async Task AroundAsync(Func<Task> continuation)
        {
            await Task.Yield();
            await continuation();
            trace.Add(name + " done");
        }
    }

    private sealed class Answering : IHttpPipelineStep
    {
        public Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation)
        {
            invocation.Http.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }
    }

    private sealed class Throwing(ProblemException problem) : IHttpPipelineStep
    {
        public Task InvokeAsync(HttpInvocation invocation, Func<Task> continuation) => throw problem;
    }

    private sealed class FailingObserver : IProblemObserver
    {
        public void Observe(HttpInvocation invocation, ProblemException problem) => throw new InvalidOperationException("observer broken");
    }

    private sealed class Observer : IProblemObserver
    {
        public List<int> Statuses { get; } = [];

        public void Observe(HttpInvocation invocation, ProblemException problem) => Statuses.Add(problem.Type.Status);
    }
}
