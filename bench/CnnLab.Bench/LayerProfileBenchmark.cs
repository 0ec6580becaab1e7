using System.Diagnostics;
using System.Globalization;
using CnnLab.Core;
using CnnLab.Engine;
using CnnLab.Layers;
using CnnLab.Studies.Experiments;
using static TorchSharp.torch;

namespace CnnLab.Bench;

/// <summary>
/// Where a training step's time goes: for the first run of a study file, times each layer's forward and backward
/// on one batch (median of repeats), in training mode, so a recipe can be made cheaper where it costs.
/// </summary>
internal static class LayerProfileBenchmark
{
    public static void Run(string[] args)
    {
        var get = BenchArguments.Parse(args);
        TorchEngine.Configure(int.Parse(get("threads", "2"), CultureInfo.InvariantCulture));
        var study = StudyParser.ParseFile(get("study", "experiments/fast.yaml"));
        var run = study.Runs[0];
        var batch = int.Parse(get("batch-size", run.Training.BatchSize.ToString(CultureInfo.InvariantCulture)),
            CultureInfo.InvariantCulture);
        using var model = RunRecipe.CompiledModel(run, Shape.Image(28, 28, 1), 10, seed: 1);
        model.train();
        using var policy = MixedPrecision.Use(MixedPrecision.Parse(get("precision", "float32")));
        const int Repeats = 20;
        var input = randn(batch, 1, 28, 28);
        Console.WriteLine($"{run.Name}, batch {batch}: milliseconds per batch (median of {Repeats})");
        Console.WriteLine("| layer | output | forward ms | backward ms |");
        Console.WriteLine("|---|---|---:|---:|");
        double totalForward = 0, totalBackward = 0;
        foreach (var layer in model.Layers)
        {
            var x = input.detach().requires_grad_(true);
            var forward = new List<double>();
            var backward = new List<double>();
            Tensor output = x;
            for (var r = 0; r < Repeats; r++)
            {
                using var scope = NewDisposeScope();
                // A non-leaf copy, so layers that overwrite their input may do so, as inside a model.
                var fed = x.mul(1);
                var clock = Stopwatch.StartNew();
                output = layer.forward(fed);
                forward.Add(clock.Elapsed.TotalMilliseconds);
                using var gradient = ones_like(output);
                clock.Restart();
                output.backward(new[] { gradient });
                backward.Add(clock.Elapsed.TotalMilliseconds);
                output = output.detach().MoveToOuterDisposeScope();
                x.grad?.zero_();
            }
            var f = forward.Order().ElementAt(Repeats / 2);
            var b = backward.Order().ElementAt(Repeats / 2);
            totalForward += f;
            totalBackward += b;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {layer.Name} | {layer.OutputShape} | {f:F2} | {b:F2} |"));
            input = output;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| total | | {totalForward:F2} | {totalBackward:F2} |"));
    }
}
