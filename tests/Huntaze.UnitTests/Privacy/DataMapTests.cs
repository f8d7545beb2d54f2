using Huntaze.Functions.Security.RateLimiting;
using System.Reflection;
using Azure.Data.Tables;
using Huntaze.Functions;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Microsoft.Extensions.Configuration;

namespace Huntaze.UnitTests.Privacy;

public sealed class DataMapTests
{
    private static readonly HashSet<string> SystemProperties = [nameof(ITableEntity.Timestamp), nameof(ITableEntity.ETag), "odata.etag"];

    [Fact]
    public void EveryTableEntityType_IsDeclaredInExactlyOneStore()
    {
        var undeclared = typeof(HuntazeComposition).Assembly.GetTypes()
            .Where(t => typeof(ITableEntity).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Where(t => HuntazeDataMap.Stores.Count(s => s.EntityTypes?.Contains(t) == true) != 1)
            .Select(t => t.FullName)
            .ToList();

        Assert.True(undeclared.Count == 0, $"Entity types not declared in exactly one data-map store (EntityTypes): {string.Join(", ", undeclared)}");
    }

    [Fact]
    public void EveryTableEntityTypeProperty_IsClassifiedInItsStore()
    {
        var missing = HuntazeDataMap.Stores.Where(s => s.EntityTypes is not null)
            .SelectMany(store => store.EntityTypes!.SelectMany(type => Unclassified(store, type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name))))
            .ToList();

        Assert.True(missing.Count == 0, $"Stored properties missing from the data map: {string.Join(", ", missing)}");
    }

    [Fact]
    public void ProgressEntities_EveryPropertyWritten_IsClassified()
    {
        var guide = ProgressEntities.From(FullGuide());
        var store = HuntazeDataMap.Stores.Single(s => s.Name == HuntazeDataMap.OnboardingProgress);

        var missing = Unclassified(store, guide.Keys.Append(TableWriteBatch.WriteIdProperty)).ToList();

        Assert.True(missing.Count == 0, $"Stored properties missing from the data map: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Unclassified_PropertyRemovedFromTheMap_IsReported()
    {
        // The checks above must be able to fail: the same store without its steps' field.
        var store = HuntazeDataMap.Stores.Single(s => s.Name == HuntazeDataMap.OnboardingProgress);
        var trimmed = store with { Fields = [.. store.Fields.Where(f => f.Name != ProgressEntities.StepPrefix + "{stepId}")] };
        var guide = ProgressEntities.From(FullGuide());

        Assert.Equal(["OnboardingProgress: Step_setup_payouts"], Unclassified(trimmed, guide.Keys));
    }

    /// <summary>A guide with every part set: state, a step with answers, a write counter.</summary>
    private static ProgressSnapshot FullGuide()
    {
        var now = DateTimeOffset.UtcNow;
        var step = new StepProgress("setup_payouts", StepStatus.Completed, 1, 1, "{}", now, now, now, "key");
        return new ProgressSnapshot("u1", new Stored<OnboardingState>(new OnboardingState(1, now, now, now, now, 1), null), new Dictionary<string, Stored<StepProgress>> { ["setup_payouts"] = new(step, null) })
        {
            Counters = new Dictionary<string, Stored<WindowCounter>> { ["step-writes"] = new(new WindowCounter(1, 1), null) },
        };
    }

    private static IEnumerable<string> Unclassified(StoreDeclaration store, IEnumerable<string> properties) =>
        properties.Where(p => !SystemProperties.Contains(p) && !store.Fields.Any(f => f.Matches(p))).Distinct().Select(p => $"{store.Name}: {p}");

    [Theory]
    [InlineData("Document{n}", "Document1", true)]
    [InlineData("Document{n}", "Document11", true)]
    [InlineData("Document{n}", "Document", false)]
    [InlineData("Document{n}", "Documentx", false)]
    [InlineData("Data", "Data", true)]
    [InlineData("Data", "Data1", false)]
    [InlineData("Step_{stepId}", "Step_setup_payouts", true)]
    [InlineData("Step_{stepId}", "Step_", false)]
    [InlineData("Step_{stepId}", "Step_Setup", false)]
    [InlineData("Step_{stepId}", "Status", false)]
    public void FieldMatches_NumberedParts(string declared, string property, bool matches) =>
        Assert.Equal(matches, new FieldDeclaration(declared, FieldClass.Personal, "").Matches(property));

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
}
