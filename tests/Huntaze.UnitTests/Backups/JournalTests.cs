using Azure.Data.Tables;
using Huntaze.Functions.Backups;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Backups.Restore;
using Huntaze.Functions.Backups.Run;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.UnitTests.Backups;

public sealed class JournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EncodeThenDecode_PutMergeDelete_RoundTripsTypedProperties()
    {
        var changes = new[]
        {
            new JournalChange("step:a", JournalChange.Put, new Dictionary<string, object?> { ["Revision"] = 3, ["UpdatedAt"] = T0 }),
            new JournalChange("state", JournalChange.Merge, new Dictionary<string, object?> { ["Count"] = 5L }),
            new JournalChange("step:b", JournalChange.Delete, null),
        };

        var decoded = WriteJournal.Decode(WriteJournal.Encode(changes));

        Assert.Equal(changes.Select(c => (c.RowKey, c.Operation)), decoded.Select(c => (c.RowKey, c.Operation)));
        Assert.Equal(3, decoded[0].Properties!["Revision"]);
        Assert.Equal(T0, decoded[0].Properties!["UpdatedAt"]);
        Assert.Equal(5L, decoded[1].Properties!["Count"]);
        Assert.Null(decoded[2].Properties);
    }

    [Fact]
    public void SetChanges_FlagDocumentOverSeveralProperties_ReadsBackWholeAndErasesAUserSplitBetweenParts()
    {
        // A user id placed across the boundary of Document and Document1: no single property names them.
        var user = "user-" + new string('b', 32);
        const string Head = "{\"id\":\"big\",\"enabled\":true,\"description\":\"";
        const string Middle = "\",\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":{\"Audience\":{\"Users\":[\"";
        var filler = new string('a', LongStringProperty.ChunkLength - Head.Length - Middle.Length - (user.Length / 2));
        var document = Head + filler + Middle + user + "\",\"other\"]}}}]}}";
        var entity = BackupService.FlagRow("big", document, new Dictionary<string, string>());
        Assert.True(entity.ContainsKey("Document1"));
        Assert.DoesNotContain(entity, p => p.Value is string text && text.Contains(user, StringComparison.Ordinal));
        var row = new TableEntity("flags", "1");
        WriteJournal.SetChanges(row, [new JournalChange("flag\nbig", JournalChange.Put, WriteJournal.PropertiesOf(entity))]);
        Assert.True(row.ContainsKey(JournalEntity.ChangesProperty + "1"));

        var read = WriteJournal.Read(row).Changes;
        var erased = JournalErasureHandler.Without(read, user);

        Assert.Equal(document, BackupService.FlagDocumentOf(new Dictionary<string, object?>(read[0].Properties!)));
        var rewritten = BackupService.FlagDocumentOf(new Dictionary<string, object?>(Assert.Single(erased!).Properties!))!;
        Assert.DoesNotContain(user, rewritten, StringComparison.Ordinal);
        Assert.Contains("other", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void ToChange_TypedEntityReplace_RecordsItsPropertiesButNotItsETag()
    {
        var action = new TableTransactionAction(TableTransactionActionType.UpdateReplace, new Typed { PartitionKey = "u", RowKey = "step:a", Status = "done", Revision = 2 }, new Azure.ETag("W/\"1\""));

        var change = WriteJournal.ToChange(action);

        Assert.Equal(JournalChange.Put, change.Operation);
        Assert.Equal("done", change.Properties!["Status"]);
        Assert.Equal(2, change.Properties["Revision"]);
        Assert.False(change.Properties.ContainsKey("ETag"));
    }

    [Fact]
    public void RowKeys_OfTheJournal_SortAfterEveryDataRowAndByTime()
    {
        var early = JournalEntity.InPartitionRowKey(T0, "a");
        var late = JournalEntity.InPartitionRowKey(T0.AddTicks(1), "a");

        Assert.True(string.CompareOrdinal("step:zzz", JournalEntity.DataRowsBelow) < 0);
        Assert.True(string.CompareOrdinal("state", JournalEntity.DataRowsBelow) < 0);
        Assert.True(string.CompareOrdinal(early, JournalEntity.DataRowsBelow) > 0);
        Assert.True(string.CompareOrdinal(early, late) < 0);
        Assert.True(JournalEntity.IsJournalRow(early));
    }

    [Fact]
    public void Fold_WritesInOrder_EndsWithTheLastStateOfEachEntity()
    {
        KeyedChange At(int second, JournalChange change) => new("u", T0.AddSeconds(second), second.ToString("D3", System.Globalization.CultureInfo.InvariantCulture), change);
        var changes = new[]
        {
            At(1, new JournalChange("a", JournalChange.Put, new Dictionary<string, object?> { ["V"] = 1, ["W"] = "x" })),
            At(2, new JournalChange("a", JournalChange.Merge, new Dictionary<string, object?> { ["V"] = 2 })),
            At(3, new JournalChange("b", JournalChange.Put, new Dictionary<string, object?> { ["V"] = 1 })),
            At(4, new JournalChange("b", JournalChange.Delete, null)),
            At(5, new JournalChange("c", JournalChange.Merge, new Dictionary<string, object?> { ["V"] = 9 })),
        };

        var final = RestoreService.Fold(changes);

        Assert.Equal(2, final[("u", "a")].Entity!["V"]);
        Assert.Equal("x", final[("u", "a")].Entity!["W"]);
        Assert.False(final[("u", "a")].MergeOnly);
        Assert.Null(final[("u", "b")].Entity);
        Assert.True(final[("u", "c")].MergeOnly);
    }

    [Fact]
    public void Validate_DefaultsAndBadValues_NameTheSetting()
    {
        var validator = new BackupOptionsValidator();
        Assert.True(validator.Validate(null, new BackupOptions()).Succeeded);

        var failed = validator.Validate(null, new BackupOptions { Schedule = "daily", PageSize = 0, MonthlyMonths = 13 });

        Assert.Contains("Backups:Schedule is 'daily'", failed.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Backups:PageSize is 0", failed.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Backups:MonthlyMonths is 13", failed.FailureMessage, StringComparison.Ordinal);
    }

    private sealed class Typed : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public Azure.ETag ETag { get; set; }

        public string Status { get; set; } = "";

        public int Revision { get; set; }
    }
}
