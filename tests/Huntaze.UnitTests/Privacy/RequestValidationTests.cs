using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.UnitTests.Privacy;

public sealed class RequestValidationTests
{
    [Theory]
    [InlineData("access", RequestType.Access)]
    [InlineData("portability", RequestType.Portability)]
    [InlineData("erasure", RequestType.Erasure)]
    public void Validate_PlainTypes_NoParticulars(string type, RequestType expected)
    {
        var (parsed, claim) = PrivacyRequestService.Validate(new OpenRequestBody(type));

        Assert.Equal(expected, parsed);
        Assert.Null(claim);
    }

    [Fact]
    public void Validate_ObjectionAndRestriction_CarryPurposeAndAction()
    {
        Assert.Equal(new RequestClaim(Purpose: "analytics", Action: RequestAction.Apply), PrivacyRequestService.Validate(new OpenRequestBody("objection", Purpose: "analytics")).Claim);
        Assert.Equal(new RequestClaim(Action: RequestAction.Lift), PrivacyRequestService.Validate(new OpenRequestBody("restriction", Action: "lift")).Claim);
        Assert.Equal(new RequestClaim(Text: "Name is X."), PrivacyRequestService.Validate(new OpenRequestBody("rectification", Claim: "  Name is X. ")).Claim);
    }

    [Theory]
    [InlineData(null, null, null, null, "type")]
    [InlineData("ACCESS", null, null, null, "type")]
    [InlineData("rectification", "   ", null, null, "claim")]
    [InlineData("erasure", null, "analytics", null, "purpose")]
    [InlineData("erasure", null, null, "lift", "action")]
    [InlineData("objection", null, "marketing", null, "purpose")]
    public void Validate_BadBodies_NameTheField(string? type, string? claim, string? purpose, string? action, string field)
    {
        var problem = Assert.Throws<ProblemException>(() => PrivacyRequestService.Validate(new OpenRequestBody(type, claim, purpose, action)));

        Assert.Equal(ProblemTypes.Validation, problem.Type);
        Assert.Contains(field, ((IReadOnlyDictionary<string, string[]>)problem.Extensions["errors"]!).Keys);
    }

    [Fact]
    public void Validate_ClaimTooLong_Refused() =>
        Assert.Throws<ProblemException>(() => PrivacyRequestService.Validate(new OpenRequestBody("rectification", new string('x', PrivacyRequestService.MaxTextLength + 1))));

    [Fact]
    public void DueAt_OneMonthThenAtMostTwoMore()
    {
        var opened = new DateTimeOffset(2026, 1, 31, 9, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 2, 28, 9, 0, 0, TimeSpan.Zero), PrivacyRequest.DueFrom(opened));
    }

    [Fact]
    public void RequestIds_CarryTheSubjectReference()
    {
        var subjectRef = "s" + new string('a', 32);
        var id = RequestIds.New(subjectRef, Guid.NewGuid());

        Assert.True(RequestIds.IsValid(id));
        Assert.Equal(subjectRef, RequestIds.SubjectRefOf(id));
        Assert.False(RequestIds.IsValid("s" + new string('a', 63)));
        Assert.False(RequestIds.IsValid(id.ToUpperInvariant()));
    }
}
