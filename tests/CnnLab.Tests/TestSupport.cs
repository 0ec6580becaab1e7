using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using static TorchSharp.torch;

namespace CnnLab.Tests;

/// <summary>Helpers shared by the tests: Keras-style messages, small generated data, tensor to array.</summary>
internal static class TestSupport
{
    /// <summary>The exception's message without .NET's " (Parameter 'x')" suffix.</summary>
    public static string KerasMessage(Exception e) => e is ArgumentException { ParamName: { } name } a
        ? a.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
        : e.Message;

    /// <summary>
    /// Fresh models have BatchNormalization statistics of 0 and 1; this adds seeded noise in [0, 0.5) to every floating
    /// buffer, so an export's inference form (moving statistics) is what a comparison checks.
    /// </summary>
    public static void MoveStatistics(CnnLab.Models.KerasModel model)
    {
        using var _ = TorchSharp.torch.no_grad();
        var generator = new TorchSharp.torch.Generator(9);
        foreach (var buffer in model.buffers().Where(b => b.is_floating_point()))
        {
            using var noise = TorchSharp.torch.rand(buffer.shape, generator: generator);
            buffer.add_(noise.mul_(0.5));
        }
    }

    /// <summary>The folder holding CnnLab.sln, above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CnnLab.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new DirectoryNotFoundException("CnnLab.sln not found above the test binaries.");
    }

    public static float[] ToArray(Tensor t) => t.contiguous().data<float>().ToArray();

    /// <summary>
    /// Two classes of 12x12 grayscale images: a bright horizontal bar (class 0) or a vertical bar (class 1)
    /// at a random position, over uniform noise. Deterministic for a seed.
    /// </summary>
    public static (Tensor X, Tensor Y) Bars(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[count * 12 * 12];
        var labels = new long[count];
        for (var n = 0; n < count; n++)
        {
            var label = n % 2;
            labels[n] = label;
            var position = random.Next(2, 10);
            for (var r = 0; r < 12; r++)
            {
                for (var c = 0; c < 12; c++)
                {
                    var onBar = label == 0 ? r == position : c == position;
                    pixels[n * 144 + r * 12 + c] = (float)(random.NextDouble() * 0.4 + (onBar ? 0.6 : 0));
                }
            }
        }
        return (tensor(pixels, new long[] { count, 1, 12, 12 }), tensor(labels));
    }

    /// <summary>A small CNN for 12x12x1 inputs and two classes.</summary>
    public static Sequential SmallCnn(long seed, bool batchNorm = false, bool dropout = false)
    {
        var model = new Sequential(Shape.Image(12, 12, 1), seed);
        model.Add(new Conv2D(6, 3, padding: Padding.Same));
        if (batchNorm)
        {
            model.Add(new BatchNormalization());
        }
        model.Add(new LeakyReLU());
        model.Add(new MaxPooling2D(2));
        model.Add(new Flatten());
        if (dropout)
        {
            model.Add(new Dropout(0.2));
        }
        model.Add(new Dense(2, activation: "softmax"));
        return model;
    }
}
