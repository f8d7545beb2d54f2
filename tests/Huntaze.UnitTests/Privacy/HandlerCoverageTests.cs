using Huntaze.Functions;
using Huntaze.Functions.Privacy.Handlers;
using Huntaze.Functions.Privacy.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.UnitTests.Privacy;

/// <summary>Every store the data map says holds findable subject data is exported and erased by exactly one handler.</summary>
public sealed class HandlerCoverageTests
{
    [Fact]
    public void EveryStoreWithSubjectData_HasExactlyOneHandler()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Auth:DevelopmentSigningKey"] = Convert.ToBase64String(new byte[32]),
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddHuntaze(configuration).BuildServiceProvider();
        var handlers = services.GetServices<ISubjectDataHandler>().ToList();
        var covered = handlers.SelectMany(h => h.Stores).ToList();
        var expected = HuntazeDataMap.Stores
            .Where(s => s.Locator != SubjectLocator.None && s.Kind is not (StoreKind.TaskHub or StoreKind.External) && s.Erasure.Action != ErasureAction.Keep)
            .Select(s => s.Key)
            .ToList();

        Assert.Equal(expected.Order(), covered.Where(expected.Contains).Order());
        Assert.Equal(covered.Count, covered.Distinct().Count());
        Assert.All(covered, store => Assert.Contains(store, HuntazeDataMap.Stores.Select(s => s.Key)));
        Assert.Equal(handlers.Count, handlers.Select(h => h.Key).Distinct().Count());
    }
}
