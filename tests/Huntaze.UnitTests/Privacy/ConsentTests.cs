using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Csrf;
using Microsoft.AspNetCore.Http;

namespace Huntaze.UnitTests.Privacy;

public sealed class ConsentTests
{
    private static readonly string[] ConsentModeV2 =
        ["ad_personalization", "ad_storage", "ad_user_data", "analytics_storage", "functionality_storage", "personalization_storage", "security_storage"];

    [Fact]
    public void ConsentMode_EveryV2Signal_IsSetByExactlyOneCategory()
    {
        var signals = HuntazeRegistry.ConsentCategories.SelectMany(c => c.ConsentModeSignals).ToList();

        Assert.Equal(ConsentModeV2, signals.Order(StringComparer.Ordinal));
        Assert.Equal(ConsentCategories.All, HuntazeRegistry.ConsentCategories.Select(c => c.Id));
    }

    [Fact]
    public void ConsentMode_NecessaryOnly_GrantsFunctionalityAndSecurityOnly()
    {
        var mode = ConsentChoice.NecessaryOnly.ConsentMode();

        Assert.Equal(["functionality_storage", "security_storage"], mode.Where(p => p.Value == "granted").Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(ConsentModeV2, mode.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ConsentMode_Marketing_GrantsTheThreeAdSignals()
    {
        var mode = new ConsentChoice(Analytics: false, Marketing: true, Personalization: false).ConsentMode();

        Assert.Equal(["ad_personalization", "ad_storage", "ad_user_data", "functionality_storage", "security_storage"],
            mode.Where(p => p.Value == "granted").Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("v1", false, true)]  // v2 does not require new consent: v1's choice still holds
    [InlineData("v1", true, false)]  // v2 requires new consent
    [InlineData("v2", true, true)]
    [InlineData("v0", false, false)] // never published
    public void StillHolds_FollowsLaterVersions(string recorded, bool v2RequiresNewConsent, bool holds)
    {
        var options = new ConsentOptions();
        options.Policies.Add(new ConsentPolicy { Version = "v1" });
        options.Policies.Add(new ConsentPolicy { Version = "v2", RequiresNewConsent = v2RequiresNewConsent });

        Assert.Equal(holds, options.StillHolds(recorded));
        Assert.Equal("v2", options.Current.Version);
    }

    [Fact]
    public void Validator_BadOrDuplicateVersionAndCookieDays_NamesEachSetting()
    {
        var options = new ConsentOptions { CookieDays = 400 };
        options.Policies.Add(new ConsentPolicy { Version = "2026-12-01" });
        options.Policies.Add(new ConsentPolicy { Version = "2026-12-01" });
        options.Policies.Add(new ConsentPolicy { Version = "a b" });

        var result = new ConsentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Consent:CookieDays is 400;", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Consent:Policies:1:Version is '2026-12-01'; is declared twice", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Consent:Policies:2:Version is 'a b';", StringComparison.Ordinal));
    }

    [Fact]
    public void Demo_OutsideDevelopment_404()
    {
        var functions = new ConsentAssetFunctions(new SecurityEnvironment("Production"));

        var problem = Assert.Throws<ProblemException>(() => functions.DemoPage(new DefaultHttpContext().Request));

        Assert.Equal(ProblemTypes.NotFound, problem.Type);
    }

    [Fact]
    public void CsrfBinding_AnonymousVisitor_IsBoundToTheirConsentCookieOnly()
    {
        var bindings = new CsrfBindings([new AnonymousSessionCookie(ConsentCookie.Name)]);

        var none = bindings.Of(WithCookie(null));
        var alice = bindings.Of(WithCookie("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        var bob = bindings.Of(WithCookie("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));

        Assert.Equal(CsrfBindings.Unbound, none);
        Assert.NotEqual(alice, bob);
        Assert.DoesNotContain("aaaaaaaa", alice, StringComparison.Ordinal); // a digest, never the cookie
        Assert.Equal(alice, bindings.Of(WithCookie("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")));
    }

    private static DefaultHttpContext WithCookie(string? value)
    {
        var http = new DefaultHttpContext();
        if (value is not null)
        {
            http.Request.Headers.Cookie = $"{ConsentCookie.Name}={value}";
        }

        return http;
    }
}
