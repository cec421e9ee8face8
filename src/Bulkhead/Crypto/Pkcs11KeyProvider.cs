using System.Globalization;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Bulkhead.Crypto;

/// <summary>
/// Keys in a PKCS#11 token (any HSM; SoftHSM2 in the tests). Each KEK is an AES-256 secret key object that
/// cannot be extracted (label <c>PREFIX-kek-NNNNNN</c>); wrapping is AES-GCM inside the token. Wrapped data
/// keys are private data objects of the token (application <c>PREFIX/TENANT</c>), so destroying one destroys
/// the only copy. One logged-in session serves every call, one call at a time: the provider is reached only
/// when a key is not in the <see cref="KeyRing"/>'s cache, never once per request.
/// </summary>
public sealed class Pkcs11KeyProvider : IKeyProvider, IDisposable
{
    private readonly ISession _session;
    private readonly Pkcs11InteropFactories _factories = new();
    private readonly string _prefix;
    private readonly Lock _lock = new();

    public Pkcs11KeyProvider(string libraryPath, string tokenLabel, string pin, string keyLabel)
    {
        _prefix = keyLabel;
        var library = Pkcs11Modules.Load(_factories, libraryPath);
        var slot = library.GetSlotList(SlotsType.WithTokenPresent).FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == tokenLabel)
            ?? throw new InvalidOperationException($"No PKCS#11 token labelled '{tokenLabel}' in {libraryPath}.");
        _session = slot.OpenSession(SessionType.ReadWrite);
        try
        {
            _session.Login(CKU.CKU_USER, pin);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // Another provider of this process logged the token in; the login is per token and application.
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public string Name => "pkcs11";

    public string CurrentKek()
    {
        lock (_lock)
        {
            return KekLabels().LastOrDefault() is { } newest ? newest[(_prefix.Length + 5)..] : CreateKekLocked();
        }
    }

    public string CreateKek()
    {
        lock (_lock)
        {
            return CreateKekLocked();
        }
    }

    public byte[] Wrap(string kek, ReadOnlySpan<byte> key, ReadOnlySpan<byte> context)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcmBox.NonceSize);
        lock (_lock)
        {
            var encrypted = _session.Encrypt(Gcm(nonce, context), Kek(kek), key.ToArray());
            return [.. nonce, .. encrypted];
        }
    }

    public byte[] Unwrap(string kek, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> context)
    {
        if (wrapped.Length < AesGcmBox.NonceSize + AesGcmBox.TagSize)
        {
            throw new CryptographicException("The wrapped key is too short.");
        }

        lock (_lock)
        {
            try
            {
                return _session.Decrypt(Gcm(wrapped[..AesGcmBox.NonceSize].ToArray(), context), Kek(kek), wrapped[AesGcmBox.NonceSize..].ToArray());
            }
            catch (Pkcs11Exception e)
            {
                throw new CryptographicException($"The token refused to unwrap under KEK {kek}: {e.RV}.", e);
            }
        }
    }

    public IReadOnlyList<byte[]> Read(Guid tenant, string name)
    {
        lock (_lock)
        {
            return Objects(tenant, name).Select(h => _session.GetAttributeValue(h, [CKA.CKA_VALUE])[0].GetValueAsByteArray()).ToList();
        }
    }

    // A token has no "create unless it exists" across processes: two instances may both add; readers merge.
    public void Add(Guid tenant, string name, byte[] value)
    {
        lock (_lock)
        {
            if (Objects(tenant, name).Count == 0)
            {
                CreateObject(tenant, name, value);
            }
        }
    }

    public void Replace(Guid tenant, string name, byte[] value)
    {
        lock (_lock)
        {
            var old = Objects(tenant, name);
            CreateObject(tenant, name, value);
            foreach (var handle in old)
            {
                _session.DestroyObject(handle);
            }
        }
    }

    public bool Delete(Guid tenant, string name)
    {
        lock (_lock)
        {
            var found = Objects(tenant, name);
            found.ForEach(_session.DestroyObject);
            return found.Count > 0;
        }
    }

    public int DeleteTenant(Guid tenant)
    {
        lock (_lock)
        {
            var found = _session.FindAllObjects([Attribute(CKA.CKA_CLASS, CKO.CKO_DATA), Attribute(CKA.CKA_APPLICATION, Application(tenant))]);
            found.ForEach(_session.DestroyObject);
            return found.Count;
        }
    }

    public IReadOnlyList<string> Names(Guid tenant)
    {
        lock (_lock)
        {
            return _session.FindAllObjects([Attribute(CKA.CKA_CLASS, CKO.CKO_DATA), Attribute(CKA.CKA_APPLICATION, Application(tenant))])
                .Select(h => _session.GetAttributeValue(h, [CKA.CKA_LABEL])[0].GetValueAsString()).Distinct().Order(StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyList<Guid> Tenants()
    {
        lock (_lock)
        {
            var found = _session.FindAllObjects([Attribute(CKA.CKA_CLASS, CKO.CKO_DATA), Attribute(CKA.CKA_LABEL, KeyNames.Tenant)]);
            return found.Select(h => _session.GetAttributeValue(h, [CKA.CKA_APPLICATION])[0].GetValueAsString())
                .Where(a => a.StartsWith(_prefix + "/", StringComparison.Ordinal))
                .Select(a => Guid.TryParse(a[(_prefix.Length + 1)..], out var id) ? id : Guid.Empty)
                .Where(id => id != Guid.Empty).Distinct().Order().ToList();
        }
    }

    // The login is shared by every session of the process (one per token), so it is left to the module's end.
    public void Dispose() => _session.Dispose();

    private void CreateObject(Guid tenant, string name, byte[] value) =>
        _session.CreateObject(
            [
                Attribute(CKA.CKA_CLASS, CKO.CKO_DATA),
                Attribute(CKA.CKA_TOKEN, true),
                Attribute(CKA.CKA_PRIVATE, true),
                Attribute(CKA.CKA_APPLICATION, Application(tenant)),
                Attribute(CKA.CKA_LABEL, name),
                _factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE, value),
            ]);

    private string Application(Guid tenant) => $"{_prefix}/{tenant:N}";

    private List<IObjectHandle> Objects(Guid tenant, string name) =>
        _session.FindAllObjects([Attribute(CKA.CKA_CLASS, CKO.CKO_DATA), Attribute(CKA.CKA_APPLICATION, Application(tenant)), Attribute(CKA.CKA_LABEL, name)]);

    private IEnumerable<string> KekLabels() =>
        _session.FindAllObjects([Attribute(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY), Attribute(CKA.CKA_KEY_TYPE, CKK.CKK_AES)])
            .Select(h => _session.GetAttributeValue(h, [CKA.CKA_LABEL])[0].GetValueAsString())
            .Where(l => l.StartsWith(_prefix + "-kek-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private string CreateKekLocked()
    {
        var next = (KekLabels().Select(l => int.Parse(l[(_prefix.Length + 5)..], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max() + 1)
            .ToString("D6", CultureInfo.InvariantCulture);
        _session.GenerateKey(_factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
        [
            Attribute(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            Attribute(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            Attribute(CKA.CKA_VALUE_LEN, (ulong)AesGcmBox.KeySize),
            Attribute(CKA.CKA_TOKEN, true),
            Attribute(CKA.CKA_PRIVATE, true),
            Attribute(CKA.CKA_SENSITIVE, true),
            Attribute(CKA.CKA_EXTRACTABLE, false),
            Attribute(CKA.CKA_ENCRYPT, true),
            Attribute(CKA.CKA_DECRYPT, true),
            Attribute(CKA.CKA_LABEL, $"{_prefix}-kek-{next}"),
        ]);
        return next;
    }

    private IObjectHandle Kek(string id)
    {
        var found = _session.FindAllObjects([Attribute(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY), Attribute(CKA.CKA_LABEL, $"{_prefix}-kek-{id}")]);
        return found.Count == 1 ? found[0] : throw new CryptographicException($"KEK {id} is not in the token ({found.Count} objects labelled {_prefix}-kek-{id}).");
    }

    private IMechanism Gcm(byte[] nonce, ReadOnlySpan<byte> context) =>
        _factories.MechanismFactory.Create(CKM.CKM_AES_GCM,
            _factories.MechanismParamsFactory.CreateCkGcmParams(nonce, (ulong)nonce.Length * 8, context.ToArray(), AesGcmBox.TagSize * 8));

    private IObjectAttribute Attribute(CKA type, object value) => value switch
    {
        bool b => _factories.ObjectAttributeFactory.Create(type, b),
        string s => _factories.ObjectAttributeFactory.Create(type, s),
        ulong u => _factories.ObjectAttributeFactory.Create(type, u),
        CKO o => _factories.ObjectAttributeFactory.Create(type, o),
        CKK k => _factories.ObjectAttributeFactory.Create(type, k),
        _ => throw new ArgumentException($"No attribute of {value.GetType()}.", nameof(value)),
    };
}
