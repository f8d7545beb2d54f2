using Huntaze.Functions.Flags.Documents;

namespace Huntaze.UnitTests.Flags;

public sealed class FlagDocumentTests
{
    private const string Valid = """
        {"id":"Onboarding","enabled":true,"conditions":{"requirement_type":"Any","client_filters":[{"name":"Microsoft.Targeting","parameters":{"Audience":{"Users":["u1"],"Groups":[{"Name":"market:FR","RolloutPercentage":50}],"DefaultRolloutPercentage":5,"Exclusion":{"Users":["u2"],"Groups":["role:support"]}}}}]}}
        """;

    [Fact]
    public void Parse_MicrosoftV2Document_ReadsTargeting()
    {
        var result = FlagDocument.Parse(Valid, "Onboarding");

        Assert.True(result.IsValid);
        var audience = result.Flag!.Targeting!;
        Assert.Equal(["u1"], audience.Users);
        Assert.Equal(new GroupRollout("market:FR", 50), Assert.Single(audience.Groups));
        Assert.Equal(5, audience.DefaultRolloutPercentage);
        Assert.Equal(["u2"], audience.ExcludedUsers);
        Assert.Equal(["role:support"], audience.ExcludedGroups);
    }

    [Fact]
    public void Serialize_ThenParse_RoundTrips()
    {
        var flag = FlagDocument.Parse(Valid).Flag!;

        var again = FlagDocument.Parse(FlagDocument.Serialize(flag)).Flag!;

        Assert.Equal(FlagDocument.Serialize(flag), FlagDocument.Serialize(again));
    }

    [Theory]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":", "not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{\"id\":\"Onboarding\"}", "'enabled' is required")]
    [InlineData("{\"id\":\"On:boarding\",\"enabled\":true}", "contains ':'")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"variants\":[]}", "Unknown member 'variants'")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.TimeWindow\",\"parameters\":{}}]}}", "Unknown filter 'Microsoft.TimeWindow'")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":{\"Audience\":{\"DefaultRolloutPercentage\":101}}}]}}", "DefaultRolloutPercentage' is 101")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":{\"Audience\":{\"Groups\":[{\"Name\":\"g\",\"RolloutPercentage\":-1}]}}}]}}", "Groups[0].RolloutPercentage' is -1")]
    [InlineData("{\"id\":\"Other\",\"enabled\":true}", "the flag addressed is 'Onboarding'")]
    [InlineData("{\"id\":\"Onboarding\",\"id\":\"Onboarding\",\"enabled\":true}", "not valid JSON")]
    public void Parse_InvalidDocument_NamesTheProblem(string json, string expected)
    {
        var result = FlagDocument.Parse(json, "Onboarding");

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Onboarding.KillSwitch", true)]
    [InlineData("a:b", false)]
    [InlineData("", false)]
    [InlineData("with space", false)]
    public void ValidateName_Name_AcceptsOnlySafeCharacters(string name, bool valid)
    {
        Assert.Equal(valid, FlagDocument.ValidateName(name) is null);
    }
}
