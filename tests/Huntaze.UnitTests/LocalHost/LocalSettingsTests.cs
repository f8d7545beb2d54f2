using System.Text.Json;
using Huntaze.LocalHost.Configuration;

namespace Huntaze.UnitTests.LocalHost;

public sealed class LocalSettingsTests
{
    [Fact]
    public void Parse_Values_MapsDoubleUnderscoreToSections()
    {
        var values = LocalSettings.Parse("""{ "IsEncrypted": false, "Values": { "Auth__Issuer": "x", "Plain": "y", "Number": 5 } }""");

        Assert.Equal("x", values["Auth:Issuer"]);
        Assert.Equal("y", values["Plain"]);
        Assert.Equal("5", values["Number"]);
    }

    [Fact]
    public void WithDevelopmentKey_EmptyKey_FillsRandom256BitKey()
    {
        const string sample = """{ "Values": { "Auth__DevelopmentSigningKey": "" } }""";

        var first = Key(LocalSettings.WithDevelopmentKey(sample));
        var second = Key(LocalSettings.WithDevelopmentKey(sample));

        Assert.Equal(32, Convert.FromBase64String(first).Length);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void WithDevelopmentKey_KeyPresent_KeepsIt()
    {
        Assert.Equal("abc", Key(LocalSettings.WithDevelopmentKey("""{ "Values": { "Auth__DevelopmentSigningKey": "abc" } }""")));
    }

    private static string Key(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("Values").GetProperty("Auth__DevelopmentSigningKey").GetString()!;
}
