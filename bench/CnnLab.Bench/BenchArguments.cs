namespace CnnLab.Bench;

/// <summary>--name value pairs of the newer benchmarks, read as a lookup with a fallback per name.</summary>
internal static class BenchArguments
{
    public static Func<string, string, string> Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }
        return (key, fallback) => values.TryGetValue(key, out var v) ? v : fallback;
    }
}
