using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>One round trip: what the client sent before it waited for the server's answer.</summary>
public sealed record Exchange(IReadOnlyList<string> Statements, int Executes)
{
    public bool IsControlPlane => Statements.Any(s => s.Contains("control.", StringComparison.Ordinal));

    public bool IsTenantData => Executes > 0 && !IsControlPlane;
}

/// <summary>
/// Counts database round trips instead of guessing them: a loopback TCP proxy in front of PostgreSQL that
/// reads the client side of the wire protocol. A round trip is a turn of the conversation: the client
/// sends, then waits for the server. Each turn records the SQL of its Parse and Query messages and its
/// Execute count, so a batch of two statements in one turn shows as one round trip with two statements,
/// and the control-plane lookups (cached per tenant) can be told apart from tenant data.
/// </summary>
public sealed class RoundTripProxy : IAsyncDisposable
{
    private const int SslRequest = 80877103;
    private const int GssRequest = 80877104;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly ConcurrentQueue<Exchange> _exchanges = new();
    private readonly ConcurrentBag<Connection> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RoundTripProxy(string host, int port)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(host), port);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Forgets every round trip so far (connections stay open).</summary>
    public void Reset()
    {
        foreach (var connection in _connections)
        {
            connection.Flush();
        }

        _exchanges.Clear();
    }

    /// <summary>Every round trip since the last reset, including the ones still waiting for their answer.</summary>
    public IReadOnlyList<Exchange> Snapshot()
    {
        foreach (var connection in _connections)
        {
            connection.Flush();
        }

        return _exchanges.ToArray();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient { NoDelay = true };
                await server.ConnectAsync(_upstream, _stop.Token);
                client.NoDelay = true;
                var connection = new Connection(this);
                _connections.Add(connection);
                _ = PumpAsync(client, server, connection, fromClient: true);
                _ = PumpAsync(server, client, connection, fromClient: false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, Connection connection, bool fromClient)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                var read = await input.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (fromClient)
                {
                    connection.ClientSent(buffer.AsSpan(0, read));
                }
                else
                {
                    connection.ServerSent();
                }

                await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // A closed connection ends both pumps.
        }
        finally
        {
            from.Close();
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    /// <summary>The client side of one proxied connection, parsed message by message.</summary>
    private sealed class Connection(RoundTripProxy proxy)
    {
        private readonly Lock _gate = new();
        private readonly List<byte> _pending = [];
        private bool _started;
        private bool _clientTurn;
        private List<string>? _statements;
        private int _executes;

        public void ClientSent(ReadOnlySpan<byte> bytes)
        {
            lock (_gate)
            {
                if (!_clientTurn)
                {
                    FlushLocked();
                    _clientTurn = true;
                    _statements = [];
                    _executes = 0;
                }

                _pending.AddRange(bytes);
                Parse();
            }
        }

        public void ServerSent()
        {
            lock (_gate)
            {
                _clientTurn = false;
            }
        }

        public void Flush()
        {
            lock (_gate)
            {
                FlushLocked();
            }
        }

        private void FlushLocked()
        {
            if (_statements is not null)
            {
                proxy._exchanges.Enqueue(new Exchange(_statements, _executes));
                _statements = null;
            }
        }

        private void Parse()
        {
            var data = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending);
            var offset = 0;
            while (true)
            {
                var rest = data[offset..];
                if (!_started)
                {
                    if (rest.Length < 8)
                    {
                        break;
                    }

                    var length = BinaryPrimitives.ReadInt32BigEndian(rest);
                    if (rest.Length < length)
                    {
                        break;
                    }

                    var code = BinaryPrimitives.ReadInt32BigEndian(rest[4..]);
                    _started = code is not (SslRequest or GssRequest);
                    offset += length;
                    continue;
                }

                if (rest.Length < 5)
                {
                    break;
                }

                var size = BinaryPrimitives.ReadInt32BigEndian(rest[1..]);
                if (rest.Length < 1 + size)
                {
                    break;
                }

                var body = rest.Slice(5, size - 4);
                switch ((char)rest[0])
                {
                    case 'Q':
                        _statements!.Add(CString(body));
                        _executes++;
                        break;
                    case 'P':
                        var name = CString(body);
                        _statements!.Add(CString(body[(Encoding.UTF8.GetByteCount(name) + 1)..]));
                        break;
                    case 'E':
                        _executes++;
                        break;
                    default:
                        break;
                }

                offset += 1 + size;
            }

            _pending.RemoveRange(0, offset);
        }

        private static string CString(ReadOnlySpan<byte> bytes)
        {
            var end = bytes.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
        }
    }
}
