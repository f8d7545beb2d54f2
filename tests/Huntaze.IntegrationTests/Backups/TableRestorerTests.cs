using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Restore;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Backups;

/// <summary>The restorer's writes on Azurite, each test in a new table of its own: what it sends and what the table ends with.</summary>
public sealed class TableRestorerTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Into an empty table every transaction is sent as inserts: an upsert costs the store a second lookup per row.</summary>
    [Fact]
    public async Task RestoreAsync_ReplaceIntoEmptyTable_SendsOnlyInserts()
    {
        var operations = new BatchOperations();
        var table = await NewTableAsync(operations);
        var backup = Entities(partitions: 6, rows: 150, version: "backup");

        var result = await new TableRestorer(table, RestoreModes.Replace, removeOthers: false, parallelism: 4, _ => Task.CompletedTask)
            .RestoreAsync("t", Stream(backup), dryRun: false, Ct);

        Assert.Equal(backup.Count, result.Written);
        Assert.Equal(new Dictionary<string, int> { ["POST"] = backup.Count }, operations.Counts);
        await AssertHoldsExactlyAsync(table, backup);
    }

    /// <summary>
    /// Over rows that exist (a live table, or the same activity run again after a host stopped), the refused
    /// inserts are sent again as upserts: every row ends as in the backup, older values replaced, none missing.
    /// </summary>
    [Fact]
    public async Task RestoreAsync_ReplaceOverExistingRows_EndsWithTheBackupsRows()
    {
        var table = await NewTableAsync(null);
        var backup = Entities(partitions: 6, rows: 150, version: "backup");
        // Half of the partitions hold older versions of their rows, the first and the last among them.
        var existing = Entities(partitions: 6, rows: 150, version: "older").Where(e => int.Parse(e.PartitionKey[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0).ToList();
        foreach (var partition in existing.GroupBy(e => e.PartitionKey))
        {
            foreach (var chunk in partition.Chunk(100))
            {
                await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), Ct);
            }
        }

        var result = await new TableRestorer(table, RestoreModes.Replace, removeOthers: false, parallelism: 4, _ => Task.CompletedTask)
            .RestoreAsync("t", Stream(backup), dryRun: false, Ct);

        Assert.Equal(backup.Count, result.Written);
        await AssertHoldsExactlyAsync(table, backup);
    }

    private async Task<TableClient> NewTableAsync(HttpPipelinePolicy? policy)
    {
        var clients = StorageFaults.Clients(fixture.Azurite.ConnectionString, fixture.TablePrefix, policy);
        // Outside the host's prefix: a table of the test's own, which the data-map scan of the prefix
        // (StoredPropertiesTests) must not meet as an undeclared store.
        var table = clients.TableService.GetTableClient("restorertest" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateAsync(Ct);
        return table;
    }

    private static List<TableEntity> Entities(int partitions, int rows, string version) =>
        [.. Enumerable.Range(0, partitions).SelectMany(p => Enumerable.Range(0, rows).Select(r => new TableEntity($"p{p:D2}", $"r{r:D3}")
        {
            ["Version"] = version,
            ["Row"] = r,
        }))];

    private static async IAsyncEnumerable<TableEntity> Stream(IEnumerable<TableEntity> entities)
    {
        foreach (var entity in entities)
        {
            await Task.Yield();
            yield return new TableEntity(entity);
        }
    }

    private static async Task AssertHoldsExactlyAsync(TableClient table, List<TableEntity> expected)
    {
        var rows = new Dictionary<(string, string), TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            rows[(row.PartitionKey, row.RowKey)] = row;
        }

        Assert.Equal(expected.Count, rows.Count);
        foreach (var want in expected)
        {
            Assert.True(rows.TryGetValue((want.PartitionKey, want.RowKey), out var got), $"{want.PartitionKey}/{want.RowKey} missing");
            Assert.Equal(want.GetString("Version"), got!.GetString("Version"));
            Assert.Equal(want.GetInt32("Row"), got.GetInt32("Row"));
        }
    }

    /// <summary>Counts the operations inside the entity-group transactions sent (by HTTP verb of each part).</summary>
    private sealed class BatchOperations : HttpPipelinePolicy
    {
        private readonly Dictionary<string, int> _counts = [];

        public Dictionary<string, int> Counts
        {
            get
            {
                lock (_counts)
                {
                    return new Dictionary<string, int>(_counts);
                }
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && message.Request.Content is { } content)
            {
                using var body = new MemoryStream();
                await content.WriteToAsync(body, message.CancellationToken);
                foreach (var verb in Encoding.UTF8.GetString(body.ToArray()).Split("\r\n").Select(l => l.Split(' ')[0]).Where(v => v is "POST" or "PUT" or "MERGE" or "PATCH" or "DELETE"))
                {
                    lock (_counts)
                    {
                        _counts[verb] = _counts.GetValueOrDefault(verb) + 1;
                    }
                }
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
