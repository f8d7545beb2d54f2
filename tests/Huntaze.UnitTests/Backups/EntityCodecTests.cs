using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Backups;

namespace Huntaze.UnitTests.Backups;

public sealed class EntityCodecTests
{
    [Fact]
    public void WriteThenRead_EveryTableType_KeepsValuesAndTypes()
    {
        var entity = new TableEntity("p", "r")
        {
            ["S"] = "é ✓ \"quoted\"",
            ["B"] = true,
            ["I"] = int.MinValue,
            ["L"] = long.MaxValue,
            ["D"] = 0.1 + 0.2,
            ["T"] = new DateTimeOffset(2026, 12, 1, 2, 3, 4, 567, TimeSpan.FromHours(2)),
            ["G"] = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
            ["X"] = new byte[] { 0, 1, 255 },
        };

        var read = EntityCodec.Read(Encode(entity));

        Assert.Equal(("p", "r"), (read.PartitionKey, read.RowKey));
        Assert.Equal("é ✓ \"quoted\"", read["S"]);
        Assert.Equal(true, read["B"]);
        Assert.Equal(int.MinValue, read["I"]);
        Assert.Equal(long.MaxValue, read["L"]);
        Assert.Equal(0.1 + 0.2, read["D"]);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 3, 4, 567, TimeSpan.Zero), read["T"]);
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), read["G"]);
        Assert.Equal(new byte[] { 0, 1, 255 }, (byte[])read["X"]!);
        Assert.Equal(typeof(long), read["L"]!.GetType());
    }

    [Fact]
    public void Write_SameEntityInAnotherPropertyOrder_GivesTheSameBytes()
    {
        var a = new TableEntity("p", "r") { ["B"] = 1, ["A"] = "x", ["Timestamp"] = DateTimeOffset.UtcNow };
        var b = new TableEntity("p", "r") { ["A"] = "x", ["B"] = 1 };

        Assert.Equal(Encoding.UTF8.GetString(Encode(a)), Encoding.UTF8.GetString(Encode(b)));
    }

    [Fact]
    public void Read_UnknownTypeCode_IsAFormatError() =>
        Assert.Throws<FormatException>(() => EntityCodec.Read("""{"pk":"p","rk":"r","p":{"A":["Z",1]}}"""u8));

    private static byte[] Encode(TableEntity entity)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            EntityCodec.Write(writer, entity);
        }

        return buffer.ToArray();
    }
}
