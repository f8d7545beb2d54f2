using System.Collections.Immutable;
using System.Reflection;
using Huntaze.Functions.Platform.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.LocalHost.Functions;

/// <summary>
/// The <see cref="FunctionContext"/> a function gets from the local host: its name and entry point,
/// the invocation's services, cancellation, and the HTTP context (so <c>GetHttpContext()</c> works).
/// </summary>
internal sealed class LocalFunctionContext : FunctionContext
{
    // The key under which the ASP.NET Core integration stores the HttpContext (its GetHttpContext() reads it).
    internal const string HttpContextKey = "HttpRequestContext";

    public LocalFunctionContext(FunctionDescriptor function, IServiceProvider services, CancellationToken cancellationToken, HttpContext? http = null)
    {
        FunctionDefinition = new LocalFunctionDefinition(function);
        InstanceServices = services;
        CancellationToken = cancellationToken;
        if (http is not null)
        {
            Items[HttpContextKey] = http;
        }
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => null!;

    public override BindingContext BindingContext => null!;

    public override RetryContext RetryContext => null!;

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException("Invocation features are a Functions host concept.");

    public override CancellationToken CancellationToken { get; }

    private sealed class LocalFunctionDefinition(FunctionDescriptor function) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters { get; } =
            [.. function.Method.GetParameters().Select(p => new FunctionParameter(p.Name!, p.ParameterType))];

        public override string PathToAssembly => function.Method.DeclaringType!.Assembly.Location;

        public override string EntryPoint => $"{function.Method.DeclaringType!.FullName}.{function.Method.Name}";

        public override string Id => function.Name;

        public override string Name => function.Name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}
