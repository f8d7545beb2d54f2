using Huntaze.Functions.Privacy.Controls;

namespace Huntaze.UnitTests.Privacy;

public sealed class ControlsSnapshotTests
{
    [Fact]
    public void Any_OneSubjectRestricted_TrueForThatKindOnly()
    {
        var snapshot = ControlsSnapshot.Empty.With(ControlKind.Restriction, "s1", present: true);

        Assert.True(snapshot.Any(ControlKind.Restriction));
        Assert.False(snapshot.Any(ControlKind.ObjectionAnalytics));
        Assert.True(snapshot.Contains(ControlKind.Restriction, "s1"));
    }

    [Fact]
    public void Any_LastSubjectLifted_False()
    {
        var snapshot = ControlsSnapshot.Empty
            .With(ControlKind.Restriction, "s1", present: true)
            .With(ControlKind.Restriction, "s1", present: false);

        Assert.False(snapshot.Any(ControlKind.Restriction));
        Assert.False(ControlsSnapshot.Empty.Any(ControlKind.Restriction));
    }
}
