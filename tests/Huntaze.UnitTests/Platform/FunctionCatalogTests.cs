using Huntaze.Functions.Platform.Hosting;

namespace Huntaze.UnitTests.Platform;

public sealed class FunctionCatalogTests
{
    [Fact]
    public void ForApp_HealthFunctions_AreAnonymousGetRoutes()
    {
        var catalog = FunctionCatalog.ForApp();

        Assert.True(catalog.TryGet("Health", out var health));
        Assert.Equal(TriggerKind.Http, health.Trigger);
        Assert.Equal("health", health.Route);
        Assert.Equal(["GET"], health.HttpMethods);
        Assert.True(catalog.TryGet("healthready", out var ready));
        Assert.Equal("health/ready", ready.Route);
    }

    [Fact]
    public void TryGet_UnknownName_ReturnsFalse() =>
        Assert.False(FunctionCatalog.ForApp().TryGet("NoSuchFunction", out _));
}
