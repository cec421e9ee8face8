using System.Text;
using System.Text.Json;

namespace Bulkhead.Audit;

/// <summary>
/// Checkpoints as an append-only directory: one file per tenant (<c>TENANT_ID.jsonl</c>), one JSON line per
/// checkpoint, only ever opened for appending. Keep the directory where database operators cannot write,
/// and make it append-only at the file system (<c>chattr +a</c>) or ship it to write-once storage.
/// </summary>
public sealed class DirectoryCheckpointStore(string directory) : ICheckpointStore
{
    // A line is a few hundred bytes: the tail holds the newest valid ones even after a torn write.
    private const int TailBytes = 16 * 1024;

    public string Directory => directory;

    public async Task AppendAsync(Checkpoint checkpoint, CancellationToken ct)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        // One write of a whole line to a file opened for appending: lines of concurrent writers never interleave.
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(checkpoint) + "\n");
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var file = new FileStream(PathOf(checkpoint.TenantId), options);
        await file.WriteAsync(line, ct);
    }

    public async Task<CheckpointLookup> NewestAsync(Guid tenantId, ICheckpointKey key, CancellationToken ct)
    {
        var path = PathOf(tenantId);
        if (!File.Exists(path))
        {
            return new CheckpointLookup(null, 0);
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(Math.Max(0, file.Length - TailBytes), SeekOrigin.Begin);
        using var reader = new StreamReader(file, Encoding.UTF8);
        Checkpoint? newest = null;
        var rejected = 0;
        // A line still being appended (or torn by a crash) has no newline yet or does not parse: it is skipped, not rejected.
        var text = await reader.ReadToEndAsync(ct);
        foreach (var line in text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Checkpoint? checkpoint;
            try
            {
                checkpoint = JsonSerializer.Deserialize<Checkpoint>(line);
            }
            catch (JsonException)
            {
                continue;
            }

            if (checkpoint is null)
            {
                continue;
            }

            if (checkpoint.TenantId != tenantId || !checkpoint.VerifyWith(key))
            {
                rejected++;
            }

            // Several sealer instances append: the newest is the one naming the latest block, then the latest time.
            else if (newest is null || (checkpoint.Block, checkpoint.Time).CompareTo((newest.Block, newest.Time)) > 0)
            {
                newest = checkpoint;
            }
        }

        return new CheckpointLookup(newest, rejected);
    }

    public Task<IReadOnlyList<Guid>> TenantsAsync(CancellationToken ct)
    {
        IReadOnlyList<Guid> tenants = System.IO.Directory.Exists(directory)
            ? System.IO.Directory.EnumerateFiles(directory, "*.jsonl")
                .Select(f => Guid.TryParse(Path.GetFileNameWithoutExtension(f), out var id) ? id : Guid.Empty)
                .Where(id => id != Guid.Empty)
                .ToList()
            : [];
        return Task.FromResult(tenants);
    }

    private string PathOf(Guid tenantId) => Path.Combine(directory, tenantId.ToString("D") + ".jsonl");
}
