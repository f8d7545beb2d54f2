using System.Reflection;
using Azure.Data.Tables;
using Huntaze.Functions;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Microsoft.Extensions.Configuration;

namespace Huntaze.UnitTests.Privacy;

public sealed class DataMapTests
{
    private static readonly HashSet<string> SystemProperties = [nameof(ITableEntity.Timestamp), nameof(ITableEntity.ETag)];

    [Fact]
    public void EveryTableEntityType_IsDeclaredInExactlyOneStore()
    {
        var entityTypes = typeof(HuntazeComposition).Assembly.GetTypes()
            .Where(t => typeof(ITableEntity).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToList();

        // Since the storage rework every store writes dynamic TableEntity rows (none typed today); the stored-property
        // integration test classifies those. A typed entity added later must still be declared here.
        var undeclared = entityTypes
            .Where(t => HuntazeDataMap.Stores.Count(s => s.EntityTypes?.Contains(t) == true) != 1)
            .Select(t => t.FullName)
            .ToList();
        Assert.True(undeclared.Count == 0, $"Entity types not declared in exactly one data-map store (EntityTypes): {string.Join(", ", undeclared)}");
    }

    [Fact]
    public void EveryTableEntityProperty_IsClassifiedInItsStore()
    {
        var missing = new List<string>();
        foreach (var store in HuntazeDataMap.Stores.Where(s => s.EntityTypes is not null))
        {
            var fields = store.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var type in store.EntityTypes!)
            {
                missing.AddRange(type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.CanWrite && !SystemProperties.Contains(p.Name) && !fields.Contains(p.Name))
                    .Select(p => $"{store.Name}: {type.Name}.{p.Name}"));
            }
        }

        Assert.True(missing.Count == 0, $"Stored properties missing from the data map (classify each as identifier, personal, linked or technical): {string.Join(", ", missing)}");
    }

    [Fact]
    public void EveryStoredProperty_OfAnUnlistedEntity_FailsTheCheck()
    {
        // The check above must be able to fail: a declaration without a property its entity has.
        var store = HuntazeDataMap.Stores.Single(s => s.Name == HuntazeDataMap.OnboardingProgress);
        // The progress store writes dynamic entities since the storage rework; a typed stand-in keeps the check honest.
        var trimmed = store with { Fields = [.. store.Fields.Where(f => f.Name != "Data")], EntityTypes = [typeof(StepLikeEntity)] };
        var fields = trimmed.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

        var missing = trimmed.EntityTypes!.SelectMany(t => t.GetProperties()).Where(p => p.CanWrite && !SystemProperties.Contains(p.Name) && !fields.Contains(p.Name)).Select(p => p.Name).Distinct();

        Assert.Equal(["Data"], missing);
    }

    [Fact]
    public void Declarations_AreConsistent()
    {
        var activities = HuntazeRegistry.Activities.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var store in HuntazeDataMap.Stores)
        {
            problems.AddRange(store.Activities.Where(a => !activities.Contains(a)).Select(a => $"{store.Name}: unknown activity '{a}'"));
            if (store.Activities.Count == 0)
            {
                problems.Add($"{store.Name}: no processing activity");
            }

            problems.AddRange(store.Fields.GroupBy(f => f.Name).Where(g => g.Count() > 1).Select(g => $"{store.Name}: field '{g.Key}' twice"));
            if (store.Locator != SubjectLocator.None && !store.PersonalFields.Any())
            {
                problems.Add($"{store.Name}: locates subjects but declares no personal field");
            }

            if (store.Erasure.Action == ErasureAction.Keep && store.PersonalFields.Any() && store.Erasure.LegalBasis is null && store.Kind != StoreKind.TaskHub)
            {
                problems.Add($"{store.Name}: keeps personal data on erasure without a legal basis");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.All(HuntazeRegistry.Activities, a => Assert.Contains(HuntazeDataMap.Stores, s => s.Activities.Contains(a.Id)));
    }

    [Theory]
    [InlineData("OnboardingProgress")]
    [InlineData("audit")]
    [InlineData("flags")]
    [InlineData("ratelimits20261201")]
    [InlineData("privacyrequests")]
    public void EnsureTable_DeclaredTable_Passes(string name) => DataMap.Create().EnsureTable(name);

    [Theory]
    [InlineData("ratelimits")]
    [InlineData("ratelimits2026120")]
    [InlineData("ratelimitsabcdefgh")]
    [InlineData("Audit2")]
    [InlineData("onboardingprogress")]
    public void EnsureTable_UndeclaredTable_Throws(string name)
    {
        var refused = Assert.Throws<UndeclaredStoreException>(() => DataMap.Create().EnsureTable(name));

        Assert.Contains($"'{name}'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureTable_RenamedBySetting_FollowsTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Onboarding:TableName"] = "Progress2" }).Build();
        var map = DataMap.Create(configuration);

        map.EnsureTable("Progress2");
        Assert.Throws<UndeclaredStoreException>(() => map.EnsureTable(HuntazeDataMap.OnboardingProgress));
        Assert.Equal("Progress2", map.NameOf(HuntazeDataMap.OnboardingProgress));
    }

    [Fact]
    public void EnsureContainer_TableNameUsedAsContainer_Throws() =>
        Assert.Throws<UndeclaredStoreException>(() => DataMap.Create().EnsureContainer("audit"));

    [Fact]
    public void Render_SameRegistry_IsDeterministic()
    {
        var registry = HuntazeRegistry.Build(DataMap.Create());

        Assert.Equal(RegistryMarkdown.Render(registry), RegistryMarkdown.Render(registry with { }));
        Assert.Contains("| `OnboardingProgress` | table | Onboarding | partition_key | delete |", RegistryMarkdown.Render(registry), StringComparison.Ordinal);
    }

    private sealed class StepLikeEntity : Azure.Data.Tables.ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public Azure.ETag ETag { get; set; }

        public string Status { get; set; } = "";

        public string? Data { get; set; }
    }
}
