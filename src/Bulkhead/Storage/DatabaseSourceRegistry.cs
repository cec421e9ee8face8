using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// Runtime-role data sources of database-tier placements, bounded so that thousands of tenant databases
/// cannot exhaust the servers: at most <see cref="DatabaseTierOptions.MaxConnections"/> physical
/// connections in all (data sources × their pool size), the least recently used idle data source is
/// evicted to make room, and data sources idle for <see cref="DatabaseTierOptions.IdleTimeout"/> are closed.
/// An evicted data source still counts against the cap until its physical connections are closed, so a
/// new one never opens beside one that is still shutting down.
/// </summary>
public sealed class DatabaseSourceRegistry(ServerCredentials credentials, DatabaseTierOptions options, TimeProvider time) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Server, string Database), Entry> _entries = [];
    private int _closing;
    private TaskCompletionSource _released = NewSignal();

    private int MaxSources => Math.Max(1, options.MaxConnections / options.PoolSizePerDatabase);

    /// <summary>Data sources open right now; each holds at most PoolSizePerDatabase connections.</summary>
    public int OpenSources
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public async ValueTask<NpgsqlConnection> OpenAsync(ServerAddress server, string database, CancellationToken ct)
    {
        var entry = await RentAsync((server.Name, database), server, ct);
        try
        {
            var connection = await entry.Source.OpenConnectionAsync(ct);
            var released = 0;
            connection.StateChange += (_, change) =>
            {
                if (change.CurrentState == System.Data.ConnectionState.Closed && Interlocked.Exchange(ref released, 1) == 0)
                {
                    Return(entry);
                }
            };
            return connection;
        }
        catch
        {
            Return(entry);
            throw;
        }
    }

    private async ValueTask<Entry> RentAsync((string, string) key, ServerAddress server, CancellationToken ct)
    {
        while (true)
        {
            var evicted = new List<Entry>();
            Entry? rented = null;
            Task released;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                foreach (var (k, idle) in _entries.Where(e => e.Value.Leases == 0 && now - e.Value.LastUsed > options.IdleTimeout).ToList())
                {
                    _entries.Remove(k);
                    evicted.Add(idle);
                }

                if (!_entries.TryGetValue(key, out rented))
                {
                    if (_entries.Count + _closing >= MaxSources)
                    {
                        var victim = _entries.Where(e => e.Value.Leases == 0).OrderBy(e => e.Value.LastUsed).FirstOrDefault();
                        if (victim.Value is not null)
                        {
                            _entries.Remove(victim.Key);
                            evicted.Add(victim.Value);
                        }
                    }

                    if (_entries.Count + _closing + evicted.Count < MaxSources)
                    {
                        var builder = RuntimeConnection.Prepared(new NpgsqlConnectionStringBuilder(credentials.Runtime(server, key.Item2))
                        {
                            MaxPoolSize = options.PoolSizePerDatabase,
                            MinPoolSize = 0,
                            ConnectionIdleLifetime = (int)Math.Max(1, options.IdleTimeout.TotalSeconds),
                        });
                        rented = new Entry(NpgsqlDataSource.Create(builder.ConnectionString));
                        _entries[key] = rented;
                    }
                }

                if (rented is not null)
                {
                    rented.Leases++;
                    rented.LastUsed = now;
                }

                _closing += evicted.Count;
                released = _released.Task;
            }

            await CloseAsync(evicted);
            if (rented is not null)
            {
                return rented;
            }

            // Every data source is busy, or still closing: wait for a lease or a close rather than exceed the cap.
            await released.WaitAsync(ct);
        }
    }

    private async Task CloseAsync(List<Entry> evicted)
    {
        foreach (var old in evicted)
        {
            try
            {
                await old.Source.DisposeAsync();
            }
            finally
            {
                lock (_gate)
                {
                    _closing--;
                    Signal();
                }
            }
        }
    }

    private void Signal()
    {
        _released.TrySetResult();
        _released = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Return(Entry entry)
    {
        lock (_gate)
        {
            entry.Leases--;
            entry.LastUsed = time.GetUtcNow();
            Signal();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Entry> all;
        lock (_gate)
        {
            all = [.. _entries.Values];
            _entries.Clear();
        }

        foreach (var entry in all)
        {
            await entry.Source.DisposeAsync();
        }
    }

    private sealed class Entry(NpgsqlDataSource source)
    {
        public NpgsqlDataSource Source { get; } = source;

        public int Leases { get; set; }

        public DateTimeOffset LastUsed { get; set; }
    }
}

/// <summary>Bounds for database-tier connections (configuration section Bulkhead:DatabaseTier).</summary>
public sealed class DatabaseTierOptions
{
    /// <summary>Physical runtime connections to tenant databases, in all.</summary>
    public int MaxConnections { get; set; } = 64;

    public int PoolSizePerDatabase { get; set; } = 4;

    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
