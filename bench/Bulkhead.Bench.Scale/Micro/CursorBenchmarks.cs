using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Bulkhead.Host.Api;

namespace Bulkhead.Bench.Scale.Micro;

/// <summary>Every page of every list seals one cursor and every next-page request opens one.</summary>
[MemoryDiagnoser]
public class CursorBenchmarks
{
    private readonly CursorCodec _codec = new(RandomNumberGenerator.GetBytes(32));
    private readonly string _binding = $"{Guid.CreateVersion7()}|123|conversations|";
    private readonly Guid _after = Guid.CreateVersion7();
    private string _cursor = "";

    [GlobalSetup]
    public void Setup() => _cursor = _codec.Encode(_after, _binding);

    [Benchmark]
    public string Encode() => _codec.Encode(_after, _binding);

    [Benchmark]
    public bool Decode() => _codec.TryDecode(_cursor, _binding, out _);

    [Benchmark]
    public bool DecodeOtherTenant() => _codec.TryDecode(_cursor, "00000000-0000-0000-0000-000000000000|123|conversations|", out _);
}
