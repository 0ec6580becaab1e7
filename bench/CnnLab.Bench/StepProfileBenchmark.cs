using System.Diagnostics;
using System.Globalization;
using CnnLab.Data;
using CnnLab.Engine;
using CnnLab.Models;
using static TorchSharp.torch;

namespace CnnLab.Bench;

/// <summary>
/// Where one training step's time goes on real data, phase by phase (batch gather, forward with loss, backward,
/// optimizer step, reading the loss), over the same batches Fit would take; the sum is compared with a plain
/// Fit over those batches so the loop's own overhead shows.
/// </summary>
internal static class StepProfileBenchmark
{
    public static void Run(string[] args)
    {
        var options = BenchOptions.Parse(args);
        TorchEngine.Configure(options.Threads);
        using var splits = FashionMnist.Load(options.DataDir, new DataLocator(options.DataDir));
        var batches = options.Limit > 0 ? options.Limit : 200;
        var count = batches * options.BatchSize;
        using var x = splits.Train.Images.narrow(0, 0, count);
        using var y = splits.Train.Labels.narrow(0, 0, count);
        using var model = NotebookModels.Create(options.Model, seed: options.Seed);
        model.train();
        using var optimizer = model.Optimizer!.Create(model.parameters());
        var phases = new[] { "gather", "forward+loss", "backward", "step", "item" };
        var totals = new double[phases.Length];
        using var order = randperm(count);
        var clock = new Stopwatch();
        using var policy = MixedPrecision.Use(MixedPrecision.Parse(options.Precision));
        for (var round = 0; round < 2; round++)
        {
            Array.Clear(totals);
            for (var b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                clock.Restart();
                var index = order.narrow(0, b * options.BatchSize, options.BatchSize);
                var xb = x.index_select(0, index);
                var yb = y.index_select(0, index);
                Lap(0);
                optimizer.zero_grad();
                var probabilities = model.forward(xb);
                var loss = nn.functional.nll_loss(probabilities.clamp_min(1e-7).log(), yb);
                Lap(1);
                loss.backward();
                Lap(2);
                optimizer.step();
                Lap(3);
                _ = loss.item<float>();
                Lap(4);
            }
        }
        Console.WriteLine($"{options.Model}, batch {options.BatchSize}, {options.Threads} threads, path {TorchEngine.Path}, " +
            $"{options.Precision}: " +
            $"ms per step over {batches} batches (second pass)");
        for (var i = 0; i < phases.Length; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {phases[i],-14} {totals[i] / batches,8:F2}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"sum",-14} {totals.Sum() / batches,8:F2}"));
        var fit = Stopwatch.StartNew();
        model.Fit(x, y, new Training.FitOptions
        {
            BatchSize = options.BatchSize, Epochs = 1, Verbose = 0, Precision = MixedPrecision.Parse(options.Precision),
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"Fit",-14} {fit.Elapsed.TotalMilliseconds / batches,8:F2}   " +
            $"(threads lowered {ThreadGovernor.Reductions} time(s), {ThreadGovernor.Threads} at the end)"));

        void Lap(int phase)
        {
            totals[phase] += clock.Elapsed.TotalMilliseconds;
            clock.Restart();
        }
    }
}
