namespace Huntaze.LocalHost.Durable;

/// <summary>Which engine serves orchestrations in the local host (<c>LocalHost__Durable__Provider</c>).</summary>
public enum DurableProvider
{
    /// <summary>The Azure Storage provider behind the Durable Task gRPC sidecar: what Azure runs; survives restarts.</summary>
    AzureStorage,

    /// <summary>The in-memory engine of Microsoft.DurableTask.InProcessTestHost: loses everything on stop (benchmarks' "before").</summary>
    InMemory,
}

/// <summary>Local-host-only Durable settings under <c>LocalHost__Durable__*</c> (the task hub itself is <see cref="Huntaze.Functions.Platform.Orchestrations.TaskHubOptions"/>).</summary>
public sealed class LocalDurableOptions
{
    public const string Section = "LocalHost:Durable";

    public DurableProvider Provider { get; set; } = DurableProvider.AzureStorage;
}
