using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Security;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Huntaze.UnitTests.Onboarding.CatalogJson;

namespace Huntaze.UnitTests.Onboarding;

/// <summary>The onboarding services over an in-memory store, fake flags and a fake clock.</summary>
internal sealed class OnboardingHarness
{
    public static readonly StepCatalog TestCatalog = StepCatalogLoader.Parse(CatalogJson.Catalog(
        [
            Step("assessment", 10, 30),
            Step("goals", 20, 20, true, "assessment"),
            Step("impressum", 30, 10).Markets(["DE"], []),
            Step("team", 40, 20, false),
        ],
        [new System.Text.Json.Nodes.JsonObject { ["id"] = "publish_offers", ["title"] = "Publish offers", ["requires"] = new System.Text.Json.Nodes.JsonArray("goals", "impressum") }]));

    public OnboardingHarness()
    {
        var options = Options.Create(new OnboardingOptions());
        // Guides held as production holds them (ADR 0019): every service test also runs the round over the held guide.
        Store = new InMemoryProgressStore { Held = new HeldGuides(Time) };
        Access = new OnboardingAccess(TestCatalog, Flags, KillSwitch, options);
        Writes = new StepWriteService(Access, Store, Events, Time);
        Guide = new OnboardingService(TestCatalog, Access, Store, Events, Time, new GuideViews(Time));
        State = new GuideStateService(Access, Store, Events, Time);
    }

    public InMemoryProgressStore Store { get; }

    public FakeFeatureGate Flags { get; } = new();

    public FakeKillSwitch KillSwitch { get; } = new();

    public RecordingPublisher Events { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public OnboardingAccess Access { get; }

    public StepWriteService Writes { get; }

    public OnboardingService Guide { get; }

    public GuideStateService State { get; }

    public static Caller User(string market = "US", string id = "user-1") =>
        new(id, new HashSet<string> { Roles.User }, market, CredentialKind.Bearer);

    public static Precondition IfMatch(string etag) => new([etag], null);

    public static Precondition BodyVersion(int version) => new([], version);
}
