using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Huntaze.Functions.Backups;

/// <summary>
/// Backup files: one entity per line (<see cref="EntityCodec"/>), gzip, written as a stream (a table of any
/// size passes through a few pages of memory). The gzip bytes are hashed on their way out, the lines
/// before compression, and both are checked on the way back.
/// </summary>
public static class BackupFiles
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public static async Task<BackupFile> WriteAsync(BlobClient blob, string table, IAsyncEnumerable<TableEntity> entities, IDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(entities);
        long rows = 0;
        string sha;
        long bytes;
        using var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var options = new BlockBlobOpenWriteOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson", ContentEncoding = null }, Tags = tags };
        await using (var target = await blob.GetParentBlobContainerClient().GetBlockBlobClient(blob.Name).OpenWriteAsync(overwrite: true, options, cancellationToken).ConfigureAwait(false))
        {
            await using var hashed = new HashingStream(target, leaveOpen: true);
            await using (var gzip = new GZipStream(hashed, CompressionLevel.Fastest, leaveOpen: true))
            {
                using var line = new MemoryStream();
                await foreach (var entity in entities.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    line.SetLength(0);
                    await using (var writer = new Utf8JsonWriter(line))
                    {
                        EntityCodec.Write(writer, entity);
                    }

                    line.Write(NewLine);
                    var span = line.GetBuffer().AsMemory(0, (int)line.Length);
                    content.AppendData(span.Span);
                    await gzip.WriteAsync(span, cancellationToken).ConfigureAwait(false);
                    rows++;
                }
            }

            sha = hashed.HashHex();
            bytes = hashed.Length64;
        }

        return new BackupFile(table, blob.Name, rows, bytes, sha, Convert.ToHexStringLower(content.GetCurrentHash()));
    }

    /// <summary>Re-reads a file: hash of the stored bytes, a complete gzip stream, every line an entity, the count and content hash as recorded.</summary>
    public static async Task<FileCheck> CheckAsync(BlobClient blob, BackupFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        long rows = 0;
        try
        {
            var (count, bytesHash, contentHash) = await ScanAsync(blob, _ => rows++, cancellationToken).ConfigureAwait(false);
            var failure = count != file.Rows ? $"{file.Table}: {count} rows, the manifest says {file.Rows}."
                : bytesHash != file.Sha256 ? $"{file.Table}: the file's SHA-256 differs from the manifest's."
                : contentHash != file.ContentSha256 ? $"{file.Table}: the content's SHA-256 differs from the manifest's."
                : null;
            return new FileCheck(file.Table, failure is null, count, failure);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or FormatException or EndOfStreamException or KeyNotFoundException or InvalidOperationException)
        {
            return new FileCheck(file.Table, false, rows, $"{file.Table}: the file is corrupt or truncated after {rows} rows.");
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return new FileCheck(file.Table, false, 0, $"{file.Table}: the file is missing.");
        }
    }

    /// <summary>The file's entities in order, without checks (the caller has checked the file first).</summary>
    public static async IAsyncEnumerable<TableEntity> ReadAsync(BlobClient blob, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        await using var source = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false);
        await using var gzip = new GZipStream(source, CompressionMode.Decompress);
        await foreach (var line in LinesAsync(gzip, cancellationToken).ConfigureAwait(false))
        {
            if (line.Length > 0)
            {
                using var document = JsonDocument.Parse(line);
                yield return EntityCodec.Read(document.RootElement);
            }
        }
    }

    /// <summary>
    /// Whether the stored bytes are the ones the backup wrote: their SHA-256 equals the manifest's. Enough
    /// before a restore (the file was written by <see cref="WriteAsync"/>, so identical bytes decode to the
    /// backed-up entities) and a fraction of <see cref="CheckAsync"/>'s cost: no decompression, no parsing.
    /// </summary>
    public static async Task<bool> BytesMatchAsync(BlobClient blob, BackupFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            await using var source = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false);
            await using var hashed = new HashingStream(source, leaveOpen: true);
            await hashed.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            return hashed.Length64 == file.Bytes && hashed.HashHex() == file.Sha256;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <summary>The content hash the given entities would have in a backup file (the drill re-encodes a restored table).</summary>
    public static async Task<(long Rows, string ContentSha256)> ContentHashAsync(IAsyncEnumerable<TableEntity> entities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entities);
        using var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var line = new MemoryStream();
        long rows = 0;
        await foreach (var entity in entities.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            line.SetLength(0);
            await using (var writer = new Utf8JsonWriter(line))
            {
                EntityCodec.Write(writer, entity);
            }

            line.Write(NewLine);
            content.AppendData(line.GetBuffer(), 0, (int)line.Length);
            rows++;
        }

        return (rows, Convert.ToHexStringLower(content.GetCurrentHash()));
    }

    private static async Task<(long Rows, string BytesHash, string ContentHash)> ScanAsync(BlobClient blob, Action<JsonElement> onEntity, CancellationToken cancellationToken)
    {
        await using var source = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false);
        await using var hashed = new HashingStream(source, leaveOpen: true);
        using var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long rows = 0;
        await using (var gzip = new GZipStream(hashed, CompressionMode.Decompress, leaveOpen: true))
        {
            await foreach (var line in LinesAsync(gzip, cancellationToken).ConfigureAwait(false))
            {
                content.AppendData(line.Span);
                content.AppendData(NewLine);
                using var document = JsonDocument.Parse(line);
                EntityCodec.Read(document.RootElement);
                onEntity(document.RootElement);
                rows++;
            }
        }

        // Drain whatever follows the gzip stream so the hash covers the whole blob.
        var buffer = new byte[81920];
        while (await hashed.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        return (rows, hashed.HashHex(), Convert.ToHexStringLower(content.GetCurrentHash()));
    }

    /// <summary>
    /// The UTF-8 lines of a stream, without their '\n' (a last line without one included), straight from the
    /// bytes: no decoding to strings and back. Each line is valid until the next one is asked for.
    /// </summary>
    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> LinesAsync(Stream source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0;
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                yield return buffer.AsMemory(start, newline);
                start += newline + 1;
                continue;
            }

            if (start > 0)
            {
                // Move the partial line to the front; grow only for a line longer than the buffer.
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }
            else if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await source.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (end > start)
                {
                    yield return buffer.AsMemory(start, end - start);
                }

                yield break;
            }

            end += read;
        }
    }
}
