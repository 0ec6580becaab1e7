namespace CnnLab.Bench;

/// <summary>
/// The settings both sides of the comparison take, as --name value pairs. Limit (0: all) caps the training and
/// the test images alike, so a quick check runs the same code paths as the full benchmark in seconds.
/// </summary>
internal sealed record BenchOptions(string Model, int Epochs, int Threads, int BatchSize, int EvalBatchSize, string DataDir, long Seed,
    int Rounds, int Limit, string Precision = "float32")
{
    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument \"{args[i]}\"; expected --name value pairs.");
            }
            values[args[i][2..]] = args[i + 1];
        }
        string Get(string key, string fallback) => values.TryGetValue(key, out var v) ? v : fallback;
        return new BenchOptions(
            Get("model", "m3-leaky"), int.Parse(Get("epochs", "2")), int.Parse(Get("threads", "2")), int.Parse(Get("batch-size", "50")),
            int.Parse(Get("eval-batch-size", "50")), Get("data-dir", "/usr/share/datasets/fashion-mnist"), long.Parse(Get("seed", "1")),
                int.Parse(Get("rounds", "2")),
            int.Parse(Get("limit", "0")), Get("precision", "float32"));
    }

    // --precision only when not float32: PyTorch's reference script trains in float32 and takes no such option.
    public string[] ToArguments() => new[]
    {
        "--model", Model, "--epochs", Epochs.ToString(), "--threads", Threads.ToString(), "--batch-size", BatchSize.ToString(),
        "--eval-batch-size", EvalBatchSize.ToString(), "--data-dir", DataDir, "--seed", Seed.ToString(), "--limit", Limit.ToString(),
    }.Concat(Precision == "float32" ? Array.Empty<string>() : new[] { "--precision", Precision }).ToArray();
}
