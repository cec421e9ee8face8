using System.Globalization;
using System.Security.Cryptography;

namespace Bulkhead.Crypto;

/// <summary>
/// Keys in files outside the database, readable by their owner only (mode 0600), under one directory
/// (<c>.bulkhead/keys</c> for <c>./bulkhead up</c>): <c>kek/NNNNNN.key</c> holds each KEK, newest current;
/// <c>tenants/ID/NAME</c> each tenant's wrapped data keys. Back the KEK files up apart from the database;
/// the tenant files are what erasure destroys, so they must not be kept in long-lived backups.
/// </summary>
public sealed class LocalKeyProvider(string root) : IKeyProvider
{
    private readonly Lock _kekLock = new();
    private readonly Dictionary<string, byte[]> _keks = new(StringComparer.Ordinal);

    public string Name => "local";

    public string Root { get; } = Path.GetFullPath(root);

    private string KekDirectory => Path.Combine(Root, "kek");

    public string CurrentKek()
    {
        lock (_kekLock)
        {
            return Keks().LastOrDefault() ?? CreateKekLocked();
        }
    }

    public string CreateKek()
    {
        lock (_kekLock)
        {
            return CreateKekLocked();
        }
    }

    public byte[] Wrap(string kek, ReadOnlySpan<byte> key, ReadOnlySpan<byte> context) => AesGcmBox.Seal(Kek(kek), key, context);

    public byte[] Unwrap(string kek, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> context) => AesGcmBox.Open(Kek(kek), wrapped, context);

    public IReadOnlyList<byte[]> Read(Guid tenant, string name)
    {
        var path = ObjectPath(tenant, name);
        return File.Exists(path) ? [File.ReadAllBytes(path)] : [];
    }

    public void Add(Guid tenant, string name, byte[] value) => PrivateFile.Write(ObjectPath(tenant, name), value, overwrite: false);

    public void Replace(Guid tenant, string name, byte[] value) => PrivateFile.Write(ObjectPath(tenant, name), value, overwrite: true);

    public bool Delete(Guid tenant, string name)
    {
        var path = ObjectPath(tenant, name);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    public int DeleteTenant(Guid tenant)
    {
        var directory = TenantDirectory(tenant);
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var count = Directory.GetFiles(directory).Length;
        Directory.Delete(directory, recursive: true);
        return count;
    }

    public IReadOnlyList<string> Names(Guid tenant)
    {
        var directory = TenantDirectory(tenant);
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>().Where(n => !n.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    public IReadOnlyList<Guid> Tenants()
    {
        var directory = Path.Combine(Root, "tenants");
        return Directory.Exists(directory)
            ? Directory.GetDirectories(directory).Select(Path.GetFileName).Select(n => Guid.TryParse(n, out var id) ? id : Guid.Empty)
                .Where(id => id != Guid.Empty).Order().ToList()
            : [];
    }

    private string TenantDirectory(Guid tenant) => Path.Combine(Root, "tenants", tenant.ToString("N"));

    private string ObjectPath(Guid tenant, string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? Path.Combine(TenantDirectory(tenant), name)
            : throw new ArgumentException($"'{name}' is not a key object name.", nameof(name));

    private IEnumerable<string> Keks() => Directory.Exists(KekDirectory)
        ? Directory.GetFiles(KekDirectory, "*.key").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)
        : [];

    private string CreateKekLocked()
    {
        var next = (Keks().Select(k => int.Parse(k, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max() + 1).ToString("D6", CultureInfo.InvariantCulture);
        PrivateFile.Write(Path.Combine(KekDirectory, next + ".key"), RandomNumberGenerator.GetBytes(AesGcmBox.KeySize), overwrite: false);
        return next;
    }

    private byte[] Kek(string id)
    {
        lock (_kekLock)
        {
            if (!_keks.TryGetValue(id, out var key))
            {
                var path = Path.Combine(KekDirectory, id + ".key");
                if (!id.All(char.IsAsciiDigit) || !File.Exists(path))
                {
                    throw new CryptographicException($"KEK {id} is not in {KekDirectory}.");
                }

                key = File.ReadAllBytes(path);
                _keks[id] = key;
            }

            return key;
        }
    }
}
