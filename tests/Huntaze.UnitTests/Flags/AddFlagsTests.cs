using Huntaze.Functions;
using Huntaze.Functions.Flags.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huntaze.UnitTests.Flags;

public sealed class AddFlagsTests
{
    [Fact]
    public void AddHuntaze_NoAppConfiguration_UsesEmbeddedTableStore()
    {
        using var services = Build(new Dictionary<string, string?>());

        Assert.Equal("tableStorage", services.GetRequiredService<IFlagStore>().Kind);
    }

    [Fact]
    public void AddHuntaze_EmptyEndpointSetting_UsesEmbeddedTableStore()
    {
        using var services = Build(new Dictionary<string, string?> { ["Flags:AppConfiguration:Endpoint"] = "", ["Flags:AppConfiguration:ConnectionString"] = "" });

        Assert.Equal("tableStorage", services.GetRequiredService<IFlagStore>().Kind);
    }

    [Fact]
    public void AddHuntaze_AppConfigurationConnectionString_UsesAppConfigurationStore()
    {
        using var services = Build(new Dictionary<string, string?> { ["Flags:AppConfiguration:ConnectionString"] = FakeAppConfigurationServer.ConnectionString });

        Assert.Equal("appConfiguration", services.GetRequiredService<IFlagStore>().Kind);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddHuntaze(configuration);
        return services.BuildServiceProvider();
    }
}
