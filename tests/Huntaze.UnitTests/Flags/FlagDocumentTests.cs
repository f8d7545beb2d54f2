using System.Text.Json.Nodes;
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
    [InlineData("{\"id\":\"On:boarding\",\"enabled\":true}", "contains ':'")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":\"yes\"}", "'enabled' must be true or false")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":5}]}}", "client_filters[0].parameters' must be an object")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Contoso.X\",\"parameters\":\"x\"}]}}", "client_filters[0].parameters' must be an object")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.TimeWindow\",\"parameters\":{\"Start\":\"not a date\"}}]}}", "is not a valid Microsoft.TimeWindow filter")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"conditions\":{\"requirement_type\":\"Most\"}}", "must be 'Any' or 'All'")]
    [InlineData("{\"id\":\"Onboarding\",\"enabled\":true,\"conditions\":{\"client_filters\":[{}]}}", "must be an object with a 'name'")]
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
    [MemberData(nameof(PortalFlagDocuments.Readable), MemberType = typeof(PortalFlagDocuments))]
    public void Parse_DocumentWrittenByThePortal_IsReadableAndSaysWhatItIgnores(string json, string ignored)
    {
        var result = FlagDocument.Parse(json);

        Assert.True(result.IsValid, string.Join(" ", result.Errors));
        if (ignored.Length == 0)
        {
            Assert.Empty(result.Flag!.Ignored);
        }
        else
        {
            Assert.Contains(result.Flag!.Ignored, note => note.Contains(ignored, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Parse_EnabledAsStringOrMissing_ReadsAsMicrosoftsLibrariesDo()
    {
        Assert.True(FlagDocument.Parse(PortalFlagDocuments.EnabledAsString).Flag!.Enabled);
        Assert.False(FlagDocument.Parse(PortalFlagDocuments.EnabledMissing).Flag!.Enabled);
    }

    [Fact]
    public void Parse_CamelCaseTargeting_ReadsTheAudience()
    {
        var flag = FlagDocument.Parse(PortalFlagDocuments.CamelCaseTargetingAndCustomFilters).Flag!;

        Assert.Equal(["alice"], flag.Targeting!.Users);
        Assert.Equal(new GroupRollout("market:FR", 100), Assert.Single(flag.Targeting.Groups));
        Assert.Equal(["Contoso.Browser", "Microsoft.Targeting", "Microsoft.Percentage"], flag.Conditions.Select(c => c.Name));
    }

    [Theory]
    [InlineData(PortalFlagDocuments.VariantsWithTelemetry)]
    [InlineData(PortalFlagDocuments.TimeWindowWithDisplayName)]
    [InlineData(PortalFlagDocuments.CamelCaseTargetingAndCustomFilters)]
    [InlineData(PortalFlagDocuments.KillSwitchWithTelemetry)]
    public void Serialize_ReadModifyWrite_KeepsEveryMemberItDidNotEdit(string json)
    {
        var flag = FlagDocument.Parse(json).Flag!;

        var written = JsonNode.Parse(FlagDocument.Serialize((flag with { Enabled = !flag.Enabled }).WithTargeting(Audience.Nobody with { Users = ["bob"] })))!.AsObject();

        var original = JsonNode.Parse(json)!.AsObject();
        foreach (var (member, value) in original.Where(m => m.Key is not ("enabled" or "conditions")))
        {
            Assert.True(JsonNode.DeepEquals(value, written[member]), $"'{member}' changed: {written[member]?.ToJsonString()}");
        }

        var filters = written["conditions"]!["client_filters"]!.AsArray();
        foreach (var filter in original["conditions"]?["client_filters"]?.AsArray().Where(f => f!["name"]!.GetValue<string>() != "Microsoft.Targeting") ?? [])
        {
            Assert.Contains(filters, f => JsonNode.DeepEquals(f, filter));
        }

        Assert.Equal(!flag.Enabled, written["enabled"]!.GetValue<bool>());
        Assert.Equal(["bob"], FlagDocument.Parse(written.ToJsonString()).Flag!.Targeting!.Users);
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
