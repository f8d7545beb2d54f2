using System.Text.Json.Nodes;
using Huntaze.Functions.Onboarding.Catalog;
using static Huntaze.UnitTests.Onboarding.CatalogJson;

namespace Huntaze.UnitTests.Onboarding;

public sealed class StepCatalogLoaderTests
{
    [Fact]
    public void LoadEmbedded_ShippedCatalog_IsValid()
    {
        var catalog = StepCatalogLoader.LoadEmbedded();

        Assert.Contains(catalog.Steps, s => s.Id == "de_impressum" && s.Required && s.Markets.Include.SequenceEqual(["DE"]));
        Assert.Contains(catalog.Steps, s => s.Id == "fr_mentions_legales" && s.Required && s.Markets.Include.SequenceEqual(["FR"]));
        Assert.NotNull(catalog.FindGate("publish_offers"));
        Assert.NotNull(catalog.FindGate("enable_autopilot"));
    }

    [Fact]
    public void Parse_ValidCatalog_OrdersStepsByOrder()
    {
        var json = Catalog([Step("second_step", order: 20), Step("first_step", order: 10)]);

        var catalog = StepCatalogLoader.Parse(json);

        Assert.Equal(["first_step", "second_step"], catalog.Steps.Select(s => s.Id));
    }

    [Theory]
    [InlineData("Bad_Id")]
    [InlineData("a")]
    [InlineData("1step")]
    [InlineData("step-with-dash")]
    public void Parse_InvalidId_NamesEntry(string id)
    {
        var json = Catalog([Step("good_step"), Step(id)]);

        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(json));

        Assert.Contains(error.Errors, e => e.Contains($"step '{id}'", StringComparison.Ordinal) && e.Contains("id must match", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_DuplicateId_NamesEntry()
    {
        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(Catalog([Step("twice"), Step("twice")])));

        Assert.Contains("step 'twice': id is declared more than once.", error.Errors);
    }

    [Fact]
    public void Parse_PrerequisiteCycle_NamesStepsOnCycle()
    {
        var json = Catalog([Step("alpha", 10, 10, true, "gamma"), Step("beta", 20, 10, true, "alpha"), Step("gamma", 30, 10, true, "beta")]);

        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(json));

        Assert.Contains(error.Errors, e => e.Contains("cycle", StringComparison.Ordinal) && e.Contains("alpha", StringComparison.Ordinal) && e.Contains("gamma", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UnknownPrerequisite_NamesStepAndPrerequisite()
    {
        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(Catalog([Step("alpha", 10, 10, true, "missing_step")])));

        Assert.Contains("step 'alpha': prerequisite 'missing_step' is not a step.", error.Errors);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("de")]
    [InlineData("DEU")]
    public void Parse_UnknownMarket_NamesStepAndCode(string code)
    {
        var json = Catalog([Step("alpha").Markets([code], [])]);

        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(json));

        Assert.Contains($"step 'alpha': market '{code}' is not an ISO 3166-1 alpha-2 country code.", error.Errors);
    }

    [Theory]
    [InlineData("version", 0)]
    [InlineData("weight", 0)]
    [InlineData("estimatedMinutes", 0)]
    [InlineData("order", -1)]
    public void Parse_OutOfRangeNumber_NamesStepAndField(string field, int value)
    {
        var json = Catalog([Step("alpha").With(field, value)]);

        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(json));

        Assert.Contains(error.Errors, e => e.StartsWith($"step 'alpha': {field} ", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UnknownMigrationPolicy_NamesStep()
    {
        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(Catalog([Step("alpha").With("migrationPolicy", "drop")])));

        Assert.Contains("step 'alpha': migrationPolicy must be keep, reset or review.", error.Errors);
    }

    [Fact]
    public void Parse_UnknownRole_NamesStep()
    {
        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(Catalog([Step("alpha").With("roles", new JsonArray("superuser"))])));

        Assert.Contains(error.Errors, e => e.StartsWith("step 'alpha': roles must list known roles", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MissingTitle_NamesStep()
    {
        var step = Step("alpha");
        step.Remove("title");

        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(Catalog([step])));

        Assert.Contains(error.Errors, e => e.StartsWith("step 'alpha': title is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_GateRequiringUnknownStep_NamesGate()
    {
        var gate = new JsonObject { ["id"] = "publish_offers", ["title"] = "Publish", ["requires"] = new JsonArray("nope") };

        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(Catalog([Step("alpha")], [gate])));

        Assert.Contains("gate 'publish_offers': requires 'nope', which is not a step.", error.Errors);
    }

    [Fact]
    public void Parse_UnknownMember_FailsNamingIt()
    {
        var error = Assert.Throws<StepCatalogException>(() => StepCatalogLoader.Parse(Catalog([Step("alpha").With("colour", "red")])));

        Assert.Contains("colour", error.Message, StringComparison.Ordinal);
    }
}
