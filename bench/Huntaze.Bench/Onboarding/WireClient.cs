using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Huntaze.Bench.Onboarding;

/// <summary>What <see cref="WireClient"/> read: the status, and the entity tag and body only when asked for or failed.</summary>
internal readonly record struct WireResponse(int Status, string? ETag, string? ContentType, string? Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>
/// The benchmark's load generator: one keep-alive HTTP/1.1 connection, one request at a time, the request's bytes
/// built once by the caller, the answer read straight from the socket (status line, the few headers it needs,
/// the body skipped unless the request failed). It costs the machine what a generator outside it would not, as
/// little as possible: the bench runs the generator, the host and Azurite on the same two cores, and
/// <see cref="HttpClient"/> spent about as much CPU per request as Kestrel (docs/performance.md, session 14).
/// wrk, which measured the figures from outside, works the same way.
/// </summary>
internal sealed class WireClient(Uri baseAddress) : IDisposable
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private readonly IPEndPoint _endPoint = new(IPAddress.Parse(baseAddress.Host), baseAddress.Port);
    private byte[] _buffer = new byte[16 * 1024];
    private Socket? _socket;

    /// <summary>A request's bytes: the request line, Host, the headers given, and the body with its length.</summary>
    public static byte[] Request(Uri baseAddress, string method, string path, IEnumerable<(string Name, string Value)> headers, string? jsonBody = null)
    {
        var text = new StringBuilder().Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\nHost: ").Append(baseAddress.Authority).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        if (jsonBody is not null)
        {
            text.Append("Content-Type: application/json; charset=utf-8\r\nContent-Length: ").Append(body.Length).Append("\r\n");
        }

        return [.. Encoding.ASCII.GetBytes(text.Append("\r\n").ToString()), .. body];
    }

    /// <summary>
    /// Sends <paramref name="request"/> and reads the answer. A connection the server closed while it was idle is
    /// replaced and the request sent once more, as HttpClient does for a request nothing was answered to.
    /// </summary>
    public async Task<WireResponse> SendAsync(ReadOnlyMemory<byte> request, bool wantETag = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            var socket = _socket ??= await ConnectAsync();
            try
            {
                await socket.SendAsync(request, SocketFlags.None);
                return await ReceiveAsync(socket, wantETag);
            }
            catch (Exception e) when (attempt == 0 && e is SocketException or ClosedBeforeAnswer)
            {
                socket.Dispose();
                _socket = null;
            }
        }
    }

    public void Dispose() => _socket?.Dispose();

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_endPoint);
        return socket;
    }

    private async Task<WireResponse> ReceiveAsync(Socket socket, bool wantETag)
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(0, filled).IndexOf(HeaderEnd)) < 0)
        {
            filled = await ReadMoreAsync(socket, filled);
        }

        var head = Parse(_buffer.AsSpan(0, headerEnd), wantETag);
        var bodyStart = headerEnd + HeaderEnd.Length;
        int bodyEnd;
        if (head.Status is 204 or 304)
        {
            bodyEnd = bodyStart;
        }
        else if (head.ContentLength is { } length)
        {
            bodyEnd = bodyStart + length;
            while (filled < bodyEnd)
            {
                filled = await ReadMoreAsync(socket, filled);
            }
        }
        else if (head.Chunked)
        {
            (bodyEnd, filled) = await SkipChunksAsync(socket, bodyStart, filled);
        }
        else
        {
            throw new InvalidDataException("An answer without Content-Length or chunked encoding: this client keeps connections alive and cannot read it.");
        }

        if (filled != bodyEnd)
        {
            throw new InvalidDataException("Bytes after the answer on a connection with one request in flight.");
        }

        if (head.Close)
        {
            socket.Dispose();
            _socket = null;
        }

        var body = head.Status is >= 200 and < 300 ? null : Encoding.UTF8.GetString(_buffer, bodyStart, bodyEnd - bodyStart);
        return new WireResponse(head.Status, head.ETag, head.ContentType, body);
    }

    /// <summary>Past a chunked body (its chunk-size lines stay in the buffer; only a failure's body is read, and then as text).</summary>
    private async Task<(int End, int Filled)> SkipChunksAsync(Socket socket, int position, int filled)
    {
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(position, filled - position).IndexOf(Crlf)) < 0)
            {
                filled = await ReadMoreAsync(socket, filled);
            }

            var sizeText = _buffer.AsSpan(position, lineEnd);
            var extension = sizeText.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(extension < 0 ? sizeText : sizeText[..extension], out int size, out _, 'x'))
            {
                throw new InvalidDataException("A chunk size that is not hexadecimal.");
            }

            // The chunk, then its CRLF; the last (empty) chunk is followed by the CRLF that ends the trailers.
            var next = position + lineEnd + Crlf.Length + size + Crlf.Length;
            while (filled < next)
            {
                filled = await ReadMoreAsync(socket, filled);
            }

            if (size == 0)
            {
                return (next, filled);
            }

            position = next;
        }
    }

    private async Task<int> ReadMoreAsync(Socket socket, int filled)
    {
        if (filled == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
        return read == 0 ? throw (filled == 0 ? new ClosedBeforeAnswer() : new InvalidDataException("The connection closed in the middle of an answer.")) : filled + read;
    }

    private static Head Parse(ReadOnlySpan<byte> head, bool wantETag)
    {
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !head.StartsWith("HTTP/1.1 "u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("Not an HTTP/1.1 status line.");
        }

        var result = new Head { Status = status };
        var lines = head[(head.IndexOf(Crlf) is var first and >= 0 ? first + Crlf.Length : head.Length)..];
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf(Crlf);
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? [] : lines[(end + Crlf.Length)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                result.ContentLength = Utf8Parser.TryParse(value, out int length, out _) ? length : throw new InvalidDataException("A Content-Length that is not a number.");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                result.Chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                result.Close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "ETag"u8) && wantETag)
            {
                result.ETag = Encoding.ASCII.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8) && status is < 200 or >= 300)
            {
                result.ContentType = Encoding.ASCII.GetString(value);
            }
        }

        return result;
    }

    private struct Head
    {
        public int Status;
        public int? ContentLength;
        public bool Chunked;
        public bool Close;
        public string? ETag;
        public string? ContentType;
    }

    /// <summary>The server closed the connection before answering anything (it had closed it while idle).</summary>
    private sealed class ClosedBeforeAnswer : IOException;
}
