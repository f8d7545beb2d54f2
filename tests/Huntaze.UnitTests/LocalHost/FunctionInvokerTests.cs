using Huntaze.Functions.Platform.Hosting;
using Huntaze.LocalHost.Functions;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.UnitTests.LocalHost;

public sealed class FunctionInvokerTests
{
    [Fact]
    public async Task InvokeAsync_InstanceFunctionCalledTwice_NewInstanceFromTheServicesEachTimeAndItsResult()
    {
        using var services = new ServiceCollection().AddSingleton(new Greeting("hello")).BuildServiceProvider();
        var function = Descriptor(nameof(Greeter.SayAsync));

        var first = await FunctionInvoker.InvokeAsync(function, services, ["ann"]);
        var second = await FunctionInvoker.InvokeAsync(function, services, ["bob"]);

        Assert.StartsWith("hello ann from #", (string)first!, StringComparison.Ordinal);
        Assert.StartsWith("hello bob from #", (string)second!, StringComparison.Ordinal);
        Assert.NotEqual(((string)first!).Split('#')[1], ((string)second!).Split('#')[1]);
    }

    [Fact]
    public async Task InvokeAsync_TaskWithoutResult_ReturnsNull()
    {
        using var services = new ServiceCollection().AddSingleton(new Greeting("hello")).BuildServiceProvider();

        Assert.Null(await FunctionInvoker.InvokeAsync(Descriptor(nameof(Greeter.WaitAsync)), services, []));
    }

    [Fact]
    public async Task UnwrapAsync_TasksOfSeveralResultTypes_EachItsOwnResult()
    {
        Assert.Equal(7, await FunctionInvoker.UnwrapAsync(Task.FromResult(7)));
        Assert.Equal("seven", await FunctionInvoker.UnwrapAsync(Task.FromResult("seven")));
        Assert.Equal(7, await FunctionInvoker.UnwrapAsync(Task.FromResult(7)));
        Assert.Equal(8L, await FunctionInvoker.UnwrapAsync(new ValueTask<long>(8)));
        Assert.Null(await FunctionInvoker.UnwrapAsync(Task.CompletedTask));
    }

    private static FunctionDescriptor Descriptor(string method)
    {
        var info = typeof(Greeter).GetMethod(method)!;
        return new FunctionDescriptor(method, info, TriggerKind.Activity, info.GetParameters().FirstOrDefault()!, null, [], null, false);
    }

    public sealed record Greeting(string Word);

    /// <summary>A function class as the worker builds one: per call, from the container.</summary>
    public sealed class Greeter(Greeting greeting)
    {
        private static int s_built;
        private readonly int _number = Interlocked.Increment(ref s_built);

        public Task<string> SayAsync(string name) => Task.FromResult($"{greeting.Word} {name} from #{_number}");

        public Task WaitAsync() => Task.Delay(greeting.Word.Length);
    }
}
